import type { TypingConfig } from '../config.ts';

/**
 * How long "typing…" shows before `text` is sent: its length at a phone-typing pace, shifted by up to ±jitter so
 * the rhythm does not look machine-made, then held within [min_ms, max_ms] so the HTTP call stays short.
 */
export function typingDurationMs(text: string, cfg: TypingConfig, random: () => number = Math.random): number {
  const characters = Array.from(text.trim()).length;
  const base = (characters / cfg.chars_per_second) * 1000;
  const jittered = base * (1 + cfg.jitter * (2 * random() - 1));
  const floor = Math.min(cfg.min_ms, cfg.max_ms);
  return Math.round(Math.min(cfg.max_ms, Math.max(floor, jittered)));
}

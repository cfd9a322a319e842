// electron-builder's configuration for `npm run dist`. CommonJS because package.json says "type": "module".
// The app inside app.asar is only what runs: the bundled shell and core (dist/electron), the built dashboard
// (dist/renderer), package.json and the production node_modules electron-builder adds itself. No TypeScript source.

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'app.wagate.desktop',
  productName: 'WaGate',
  copyright: 'WaGate contributors, MIT License',
  directories: { output: 'dist/installers', buildResources: 'build' },
  files: ['dist/electron/**', 'dist/renderer/**', 'package.json', '!**/*.map'],
  // desktopName: Electron's Wayland app_id, so the desktop links the window to wagate.desktop.
  extraMetadata: { main: 'dist/electron/main.js', desktopName: 'wagate.desktop' },
  asar: true,
  // sharp's native addon loads libvips from its own package by a relative path; electron-builder unpacks packages
  // holding `.so` files, but not libvips' versioned `libvips-cpp.so.8.x.y`, which dlopen cannot read from inside asar.
  asarUnpack: ['**/node_modules/sharp/**', '**/node_modules/@img/**'],
  // No native module to rebuild: SQLite is Node's own node:sqlite.
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  publish: null,
  // Electron's hardening switches, flipped in the packaged binary.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    executableName: 'wagate',
    icon: 'build/icons',
    category: 'Network',
    synopsis: 'Local WhatsApp gateway',
    description: 'A tray app that links one WhatsApp account and serves a send API on 127.0.0.1:7001.',
    maintainer: 'WaGate contributors',
    syncDesktopName: true,
  },
  appImage: { artifactName: 'WaGate-${version}-${arch}.AppImage' },
  deb: { artifactName: 'wagate_${version}_${arch}.deb' },
  win: { target: ['nsis'], icon: 'build/icon.ico' },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    // Uninstalling keeps the linked account and keys; the README says how to wipe them.
    deleteAppDataOnUninstall: false,
    artifactName: 'WaGate-Setup-${version}.exe',
  },
  mac: { target: ['dmg'], icon: 'build/icon.icns', category: 'public.app-category.productivity' },
  dmg: { artifactName: 'WaGate-${version}.dmg' },
};

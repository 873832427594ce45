//! Embeds the built app in the binary when `NIMO_EMBED_DIST` names a
//! `dist/` directory (`cargo xtask dist` sets it): every file, with the
//! `.br` and `.gz` copies the xtask made. Without it the binary embeds
//! nothing and serves `--assets DIR` (development).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=NIMO_EMBED_DIST");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("/// The built app's files, by path under `dist/` (`/` separated).\npub static FILES: &[(&str, &[u8])] = &[\n");
    if let Some(dist) = std::env::var_os("NIMO_EMBED_DIST").map(PathBuf::from) {
        assert!(dist.join("index.html").is_file(), "NIMO_EMBED_DIST={} holds no index.html: build the app first", dist.display());
        let mut files = Vec::new();
        walk(&dist, &mut files);
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&dist).expect("under dist").to_string_lossy().replace('\\', "/");
            println!("cargo:rerun-if-changed={}", file.display());
            let _ = writeln!(code, "    ({rel:?}, include_bytes!({:?})),", file.display().to_string());
        }
    }
    code.push_str("];\n");
    std::fs::write(out.join("embedded.rs"), code).expect("write embedded.rs");
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dist").flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

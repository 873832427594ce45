//! The client build: cargo (wasm32) → wasm-bindgen → wasm-opt → content
//! hashed names → service-worker precache list → brotli and gzip copies →
//! size report. The result replaces `dist/` in one rename.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use wasm_bindgen_cli_support::Bindgen;

use crate::setup;
use crate::util::{self, Error, cargo, read, root, write};

/// Files served under their own name and revalidated on every visit; every
/// other file gets a content hash in its name and is cached for a year.
const UNHASHED: [&str; 2] = ["index.html", "sw.js"];
/// Icons only the phone's home screen uses: the browser fetches them when
/// the app is installed (from its menu, so online), never for the page. Not
/// precached, so not part of a first visit; served like any hashed file.
const INSTALL_ONLY: [&str; 3] = ["icons/icon-512.png", "icons/icon-maskable-512.png", "icons/apple-touch-icon.png"];

/// The page an invite link (`/join#<code>`) gets from the server: made
/// from `index.html` by `join_page`, never precached (the service worker
/// answers every page with `/`).
const JOIN_PAGE: &str = "join.html";

/// Whether a first visit downloads the file: the precache list and the size
/// report both ask this, so the budget counts what the worker fetches.
fn first_visit(name: &str) -> bool {
    !INSTALL_ONLY.contains(&name) && name != JOIN_PAGE && !ON_DEMAND.contains(&name)
}

/// The modules the app loads only when it needs them, online, a few times
/// in a device's life, then kept by the service worker; not precached, so
/// not part of a first visit. The key module (crate `keys`: Argon2id and
/// X25519) when it makes or opens keys; the strength module (crate
/// `strength`: zxcvbn and its dictionaries) where a new passphrase is chosen.
const ON_DEMAND: [&str; 4] = ["keys.js", "keys.wasm", "strength.js", "strength.wasm"];
/// The guard on the whole first visit, in brotli bytes (480 KiB): the app
/// is not bent for bytes below it (BENCHMARKS.md).
const FIRST_VISIT_BUDGET: usize = 480 * 1024;

pub struct ShippedFile {
    pub path: String,
    pub raw: usize,
    pub brotli: usize,
    /// Fetched on the first visit (the service worker precaches all of it).
    pub first_visit: bool,
}

/// What to build: the shipped app, a quick unoptimised one, or the
/// benchmark build (with the `bench` feature's hooks) in another directory.
pub struct Variant {
    pub dev: bool,
    pub bench: bool,
    /// Keep the function names in the optimised wasm, so that a CPU
    /// profile names nimo's functions (about 1.2 MB more: for profiling,
    /// not for serving to people).
    pub names: bool,
}

impl Variant {
    pub const RELEASE: Variant = Variant { dev: false, bench: false, names: false };

    fn out_dir(&self) -> PathBuf {
        if self.bench { root().join("target/bench-dist") } else { root().join("dist") }
    }

    fn work_dir(&self) -> PathBuf {
        root().join(if self.bench { "target/xtask-bench" } else { "target/xtask" })
    }
}

pub fn client(dev: bool) -> Result<Vec<ShippedFile>, Error> {
    build(&Variant { dev, bench: false, names: false })
}

pub fn build(variant: &Variant) -> Result<Vec<ShippedFile>, Error> {
    let root = root();
    let work = variant.work_dir();
    let (app_js, app_wasm) = module(variant, "nimo-app", "app")?;
    let (keys_js, keys_wasm) = module(variant, "nimo-keys", "keys")?;
    let (strength_js, strength_wasm) = module(variant, "nimo-strength", "strength")?;
    let bindgen_dir = work.join("bindgen").join("app");

    // Sources: everything in public/, plus the generated module and wasm.
    let mut sources: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    collect(&root.join("public"), &root.join("public"), &mut sources)?;
    sources.insert("app.js".into(), app_js);
    sources.insert("app.wasm".into(), app_wasm);
    sources.insert("keys.js".into(), keys_js);
    sources.insert("keys.wasm".into(), keys_wasm);
    sources.insert("strength.js".into(), strength_js);
    sources.insert("strength.wasm".into(), strength_wasm);
    // The list of areas, read by the app on first use rather than compiled in.
    sources.insert("areas.tsv".into(), shipped_areas(&read(&root.join("core/data/areas.tsv"))?)?);
    let snippets = bindgen_dir.join("snippets");
    if snippets.exists() {
        collect(&bindgen_dir, &snippets, &mut sources)?;
    }

    let staged = work.join("dist.new");
    let _ = std::fs::remove_dir_all(&staged);
    let mut names = emit(&sources, &staged)?;
    let css = names.get("style.css").ok_or_else(|| Error::msg("public/style.css is missing"))?;
    let page = join_page(&String::from_utf8_lossy(&read(&staged.join("index.html"))?), &String::from_utf8_lossy(&read(&staged.join(css))?), css)?;
    write(&staged.join(JOIN_PAGE), page.as_bytes())?;
    names.insert(JOIN_PAGE.into(), JOIN_PAGE.into());
    let report = compress_and_measure(&staged, &names)?;

    let dist = variant.out_dir();
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::rename(&staged, &dist)?;
    print_report(&report, variant.bench);
    write_report(&work.join("sizes.json"), &report)?;
    Ok(report)
}

/// Builds one WebAssembly module of the client (`package`, its files named
/// `name`): cargo → wasm-bindgen → wasm-opt. Returns its JavaScript glue
/// and its optimised wasm.
fn module(variant: &Variant, package: &str, name: &str) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let root = root();
    let dev = variant.dev;
    let profile = if dev { "dev" } else { "wasm-release" };
    let mut cmd = cargo();
    cmd.args(["build", "--package", package, "--target", "wasm32-unknown-unknown", "--profile", profile]);
    if !dev {
        small_std(&mut cmd);
    }
    if variant.bench && package == "nimo-app" {
        cmd.args(["--features", "bench"]);
    }
    if variant.bench {
        // A separate target dir keeps the shipped build's artefacts intact.
        cmd.arg("--target-dir").arg(root.join("target/bench"));
    }
    util::run(&mut cmd)?;
    let profile_dir = if dev { "debug" } else { profile };
    let target = if variant.bench { root.join("target/bench") } else { root.join("target") };
    let wasm = target.join("wasm32-unknown-unknown").join(profile_dir).join(format!("{}.wasm", package.replace('-', "_")));

    let work = variant.work_dir();
    let bindgen_dir = work.join("bindgen").join(name);
    let _ = std::fs::remove_dir_all(&bindgen_dir);
    Bindgen::new()
        .input_path(&wasm)
        .out_name(name)
        .web(true)
        .map_err(|e| Error::msg(format!("wasm-bindgen: {e}")))?
        .typescript(false)
        .generate(&bindgen_dir)
        .map_err(|e| Error::msg(format!("wasm-bindgen: {e}")))?;
    let bg = bindgen_dir.join(format!("{name}_bg.wasm"));
    let wasm_bytes = if dev { read(&bg)? } else { wasm_opt(&root, &bg, &work.join(format!("{name}.opt.wasm")), variant.names)? };
    Ok((read(&bindgen_dir.join(format!("{name}.js")))?, wasm_bytes))
}

/// Rebuilds the standard library with the app, sized like the app, and
/// makes a panic a bare trap: no panic messages, no formatting machinery
/// and no source locations in the wasm (−22 KB brotli, issue 15). A panic
/// already ends the app (`panic = "abort"`); what is lost is the message
/// in the console. The library is built with its `optimize_for_size`
/// feature (smaller sorts and formatting, still O(n log n); −3 KB). These
/// are unstable options, so the stable toolchain is
/// told to accept them (`RUSTC_BOOTSTRAP`, checked on Rust 1.95). Should a
/// later toolchain rename them, the build fails loudly; `NIMO_PREBUILT_STD=1`
/// builds without them meanwhile. Without the standard library's source
/// (`rustup component add rust-src`, which setup does) the build falls back
/// to the prebuilt library and says so.
fn small_std(cmd: &mut Command) {
    if std::env::var_os("NIMO_PREBUILT_STD").is_some() {
        return;
    }
    if !setup::has_rust_src() {
        eprintln!("xtask: the standard library's source is missing (rustup component add rust-src): building with the prebuilt one, ~25 KB brotli larger");
        return;
    }
    cmd.env("RUSTC_BOOTSTRAP", "1").args(["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"]);
    // Added to the `erase_components` of .cargo/config.toml (cargo joins lists).
    cmd.arg("--config").arg(
        r#"target.wasm32-unknown-unknown.rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none"]"#,
    );
}

/// The area list as the app downloads it: each code without its check
/// digit, which `AreaCode::parse` computes for a 5-digit code (−1 KB brotli:
/// the check digits are the one part of the file that does not compress).
fn shipped_areas(tsv: &[u8]) -> Result<Vec<u8>, Error> {
    let text = std::str::from_utf8(tsv).map_err(|_| Error::msg("core/data/areas.tsv is not UTF-8"))?;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        match line.split_once('\t') {
            Some((code, rest)) if !line.starts_with('#') && code.len() == 6 => {
                let area = nimo_core::directory::area::AreaCode::parse(code)
                    .map_err(|e| Error::msg(format!("core/data/areas.tsv: {code}: {e}")))?;
                out.push_str(&area.five());
                out.push('\t');
                out.push_str(rest);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// The size report as JSON, for the benchmark table.
fn write_report(path: &Path, files: &[ShippedFile]) -> Result<(), Error> {
    let list: Vec<serde_json::Value> =
        files.iter().map(|f| serde_json::json!({"file": f.path, "raw": f.raw, "brotli": f.brotli, "first_visit": f.first_visit})).collect();
    let json = serde_json::to_vec_pretty(&list).map_err(|e| Error::msg(e.to_string()))?;
    write(path, &json)
}

fn wasm_opt(root: &Path, input: &Path, output: &Path, names: bool) -> Result<Vec<u8>, Error> {
    let tool = root.join("node_modules/.bin/wasm-opt");
    if !tool.exists() {
        return Err(Error::msg("wasm-opt is missing; run `cargo xtask setup` (it comes from npm's binaryen)"));
    }
    // The features rustc ≥ 1.87 emits for wasm32 by default.
    util::run(Command::new(tool).arg("-Oz").args([
        "--enable-bulk-memory",
        "--enable-reference-types",
        "--enable-nontrapping-float-to-int",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--strip-producers",
        "--converge",
    ]).arg(if names { "-g" } else { "--strip-debug" }).arg(input).arg("-o").arg(output))?;
    read(output)
}

fn collect(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> Result<(), Error> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(base, &path, out)?;
        } else {
            let rel = path.strip_prefix(base).expect("under base").to_string_lossy().replace('\\', "/");
            out.insert(rel, read(&path)?);
        }
    }
    Ok(())
}

fn is_text(name: &str) -> bool {
    [".js", ".css", ".html", ".webmanifest", ".json", ".svg", ".txt"].iter().any(|ext| name.ends_with(ext))
}

/// Order in which text files are rewritten and hashed: a file is processed
/// after every file it may name.
fn rank(name: &str) -> u8 {
    match name {
        n if !is_text(n) => 0,
        // Name nothing; named by the app's snippet that loads them.
        "keys.js" | "strength.js" => 0,
        // Names the on-demand modules; imported by app.js.
        n if n.starts_with("snippets/") => 1,
        "app.js" => 2,
        n if n.ends_with(".css") || n.ends_with(".svg") || n.ends_with(".json") => 3,
        n if n.ends_with(".webmanifest") => 4,
        "index.html" => 6,
        "sw.js" => 7,
        _ => 5,
    }
}

/// Writes every source under its final name into `out`; returns
/// original name → served name.
fn emit(sources: &BTreeMap<String, Vec<u8>>, out: &Path) -> Result<BTreeMap<String, String>, Error> {
    let mut order: Vec<&String> = sources.keys().collect();
    order.sort_by_key(|n| (rank(n), n.as_str()));
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for name in order {
        let mut bytes = sources[name].clone();
        if is_text(name) {
            let text = String::from_utf8(bytes).map_err(|_| Error::msg(format!("{name} is not UTF-8")))?;
            bytes = rewrite(&text, &names).into_bytes();
        }
        if name == "sw.js" {
            bytes = service_worker(&String::from_utf8_lossy(&bytes), &names)?.into_bytes();
        }
        let served = if UNHASHED.contains(&name.as_str()) { name.clone() } else { hashed_name(name, &bytes) };
        write(&out.join(&served), &bytes)?;
        names.insert(name.clone(), served);
    }
    Ok(names)
}

/// Fills in the code from the address (`/join#<code>`: after `#`, never
/// sent to the server) as the page is parsed, before its first paint, and turns the address into the app's own
/// form of the link (`/#/join/<code>`), which `boot.js` and the app read.
/// On a device someone is signed in on, the form is not for them: the
/// loading notice shows until the app starts. Inline, so allowed by its
/// hash (server::assets::join); this text is what is hashed.
const JOIN_SCRIPT: &str = "(() => {
  let code = '';
  try { code = decodeURIComponent(location.hash.slice(1)); } catch { /* a broken link: typed by hand */ }
  history.replaceState(null, '', `/#/join/${encodeURIComponent(code)}`);
  let used = false;
  try { used = Boolean(localStorage.getItem('nimo.signedIn')); } catch { /* no storage: nobody is signed in */ }
  if (used) {
    document.getElementById('page-join').hidden = true;
    document.getElementById('loading').hidden = false;
  } else {
    document.getElementById('pj-code').value = code;
  }
})();";

/// The invite link's page (see `JOIN_PAGE`): `index.html` with the join
/// form showing and the stylesheet inside, so that the form is there at
/// the first paint rather than once `boot.js` has run (measured on the
/// throttled profile: 1,079 ms against 1,305 ms for the `#/join/` link;
/// the rest is the first layout's text shaping, see BENCHMARKS.md). The submit button
/// waits for `boot.js`, which keeps what was typed for the app: sent
/// earlier, the form would reload the page and lose it. Each edit must
/// find its place once, so a change to `index.html` fails the build here
/// rather than shipping a broken page.
fn join_page(index: &str, css: &str, css_name: &str) -> Result<String, Error> {
    if css.contains("</style") {
        return Err(Error::msg("style.css cannot be put inside the join page: it contains </style"));
    }
    let edits = [
        (format!("<link rel=\"stylesheet\" href=\"/{css_name}\">"), format!("<style>{css}</style>")),
        ("<div id=\"page-join\" class=\"screen\" hidden>".to_owned(), "<div id=\"page-join\" class=\"screen\">".to_owned()),
        ("<p id=\"loading\" class=\"loading\" role=\"status\">".to_owned(), "<p id=\"loading\" class=\"loading\" role=\"status\" hidden>".to_owned()),
        ("id=\"pj-submit\">".to_owned(), "id=\"pj-submit\" disabled>".to_owned()),
        ("</form>\n".to_owned(), format!("</form>\n<script>{JOIN_SCRIPT}</script>\n")),
    ];
    let mut page = index.to_owned();
    for (from, to) in edits {
        if page.matches(&from).count() != 1 {
            return Err(Error::msg(format!("index.html: the join page needs exactly one `{from}`")));
        }
        page = page.replacen(&from, &to, 1);
    }
    Ok(page)
}

/// Replaces quoted references to files already renamed: absolute ones
/// (`"/app.js"`, `'/app.js'`), and relative ones from the root (`app.js`
/// imports its snippets as `'./snippets/…/inline0.js'`).
fn rewrite(text: &str, names: &BTreeMap<String, String>) -> String {
    let mut text = text.to_owned();
    for (from, to) in names {
        for q in ['"', '\''] {
            text = text.replace(&format!("{q}/{from}{q}"), &format!("{q}/{to}{q}"));
            text = text.replace(&format!("{q}./{from}{q}"), &format!("{q}./{to}{q}"));
        }
    }
    text
}

fn hash_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let (dir, file) = name.rsplit_once('/').map_or(("", name), |(d, f)| (d, f));
    let (stem, ext) = file.split_once('.').unwrap_or((file, ""));
    let hashed = format!("{stem}-{}.{ext}", hash_hex(bytes));
    if dir.is_empty() { hashed } else { format!("{dir}/{hashed}") }
}

/// Fills the service-worker template with the build id and the precache
/// list: the page itself and every hashed file.
fn service_worker(template: &str, names: &BTreeMap<String, String>) -> Result<String, Error> {
    let mut assets: Vec<String> = vec!["/".to_owned()];
    assets.extend(
        names
            .iter()
            .filter(|(name, _)| !UNHASHED.contains(&name.as_str()) && first_visit(name))
            .map(|(_, served)| format!("/{served}")),
    );
    let build_id = hash_hex(assets.join("\n").as_bytes());
    if !["__BUILD_ID__", "__PRECACHE__", "__SCHEMA__"].iter().all(|k| template.contains(k)) {
        return Err(Error::msg("public/sw.js must contain __BUILD_ID__, __PRECACHE__ and __SCHEMA__"));
    }
    let list = serde_json::to_string(&assets).map_err(|e| Error::msg(e.to_string()))?;
    Ok(template
        .replace("__BUILD_ID__", &build_id)
        .replace("__PRECACHE__", &list)
        .replace("__SCHEMA__", &nimo_core::SCHEMA_VERSION.to_string()))
}

fn compress_and_measure(dir: &Path, names: &BTreeMap<String, String>) -> Result<Vec<ShippedFile>, Error> {
    let mut report = Vec::new();
    for (name, served) in names {
        let path = dir.join(served);
        let raw = read(&path)?;
        let mut brotli_size = raw.len();
        if is_text(served) || served.ends_with(".wasm") || served.ends_with(".tsv") {
            let br = brotli(&raw)?;
            let gz = gzip(&raw)?;
            brotli_size = br.len();
            if br.len() < raw.len() {
                write(&dir.join(format!("{served}.br")), &br)?;
            }
            if gz.len() < raw.len() {
                write(&dir.join(format!("{served}.gz")), &gz)?;
            }
        }
        report.push(ShippedFile {
            path: served.clone(),
            raw: raw.len(),
            brotli: brotli_size.min(raw.len()),
            first_visit: first_visit(name),
        });
    }
    Ok(report)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

fn print_report(files: &[ShippedFile], bench: bool) {
    println!("\n{:<52} {:>10} {:>10}", "shipped file", "raw B", "brotli B");
    for f in files {
        println!("{:<52} {:>10} {:>10}", f.path, f.raw, f.brotli);
    }
    let raw: usize = files.iter().filter(|f| f.first_visit).map(|f| f.raw).sum();
    let br: usize = files.iter().filter(|f| f.first_visit).map(|f| f.brotli).sum();
    println!("{:<52} {:>10} {:>10}", "first visit (all but install-only icons, join.html)", raw, br);
    if bench {
        // Its hooks make it larger; it is never served to people.
        println!("(the benchmark build, with its hooks: the guard is for dist/)\n");
        return;
    }
    let verdict = if br <= FIRST_VISIT_BUDGET { "within" } else { "OVER" };
    println!("first-visit guard {} B brotli (480 KiB): {verdict} ({:.1} KiB)\n", FIRST_VISIT_BUDGET, br as f64 / 1024.0);
}

#[cfg(test)]
mod tests {
    use nimo_core::directory::area::AreaList;

    #[test]
    fn the_shipped_area_list_reads_as_the_source_does() {
        let source = std::fs::read(crate::util::root().join("core/data/areas.tsv")).unwrap();
        let shipped = super::shipped_areas(&source).unwrap();
        assert!(shipped.len() < source.len());
        let (a, b) = (AreaList::parse(std::str::from_utf8(&source).unwrap()), AreaList::parse(std::str::from_utf8(&shipped).unwrap()));
        assert_eq!(a.all().len(), 1_788);
        let key = |l: &AreaList| l.all().iter().map(|x| (x.code, x.name.clone(), x.kana.clone())).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&b));
    }

    #[test]
    fn the_join_page_is_the_page_with_its_form_showing_and_its_style_inside() {
        let index = std::fs::read_to_string(crate::util::root().join("public/index.html")).unwrap();
        let page = super::join_page(&index, "body{margin:0}", "style.css").unwrap();
        assert!(page.contains("<style>body{margin:0}</style>") && !page.contains("rel=\"stylesheet\""));
        assert!(page.contains("<div id=\"page-join\" class=\"screen\">"));
        assert!(page.contains("id=\"pj-submit\" disabled>"));
        assert!(page.contains(&format!("<script>{}</script>", super::JOIN_SCRIPT)));
        // The page's own script is still the one boot.js.
        assert_eq!(page.matches("<script").count(), 2);
        assert!(super::join_page("<!doctype html><p>no form</p>", "", "style.css").is_err());
        assert!(super::join_page(&index, "a{}</style><script>", "style.css").is_err());
    }
}

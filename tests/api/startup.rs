use nimo_server::config::Config;
use nimo_server::error::StartupError;
use nimo_server::startup::Application;

fn config(dir: &std::path::Path) -> Config {
    Config::for_database(dir.join("nimo.sqlite3"))
}

#[tokio::test]
async fn creates_the_database_file_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.database = dir.path().join("nested/dir/nimo.sqlite3");
    let _app = Application::build(cfg.clone()).await.unwrap();
    assert!(cfg.database.is_file());
    let conn = rusqlite::Connection::open(&cfg.database).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
}

#[tokio::test]
async fn refuses_a_port_in_use_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut cfg = config(dir.path());
    cfg.listen = taken.local_addr().unwrap();
    let err = Application::build(cfg).await.err().expect("must refuse");
    assert!(matches!(err, StartupError::AddressInUse(_)), "{err:?}");
    assert!(err.to_string().contains("already in use"), "{err}");
}

#[tokio::test]
async fn refuses_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    std::fs::write(&cfg.database, b"this is not an SQLite file, it is a shopping list: rice, miso, tofu, negi").unwrap();
    let err = Application::build(cfg).await.err().expect("must refuse");
    assert!(matches!(err, StartupError::Database { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot use the database"), "{err}");
}

#[tokio::test]
async fn refuses_a_missing_app_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.assets = Some(nimo_server::assets::Source::Dir(dir.path().join("no-dist")));
    let err = Application::build(cfg).await.err().expect("must refuse");
    assert!(err.to_string().contains("cargo xtask build"), "{err}");
}

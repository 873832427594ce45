//! The server's own `main`, built inside this package so that the crash
//! test can start and kill it as a separate process
//! (`CARGO_BIN_EXE_nimo-test-server`).
fn main() -> std::process::ExitCode {
    nimo_server::cli::main()
}

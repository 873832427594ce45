fn main() -> std::process::ExitCode {
    nimo_server::cli::main()
}

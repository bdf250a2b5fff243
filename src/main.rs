//! The `pave` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    pave::cli::main()
}

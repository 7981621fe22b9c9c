use std::process::ExitCode;

fn main() -> ExitCode {
    relasi::cli::main()
}

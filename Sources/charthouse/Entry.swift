import CharthouseCLI

/// The `charthouse` executable: the server (`serve`) and its client in one binary.
@main
struct Entry {
    static func main() async {
        await CharthouseCommand.main()
    }
}

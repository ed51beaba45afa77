namespace ClusterManager.Cli.Commands;

/// <summary>
/// What a command runs with: its arguments, the output streams, the clock, and the process's surroundings
/// (<see cref="Host"/>: environment variables, standard input and whether it is a terminal, the clusterd
/// configuration file), which tests replace.
/// </summary>
public sealed record CommandContext(ArgumentCursor Args, TextWriter Out, TextWriter Error, TimeProvider Time)
{
    /// <summary>The process's surroundings; <see cref="HactlHost.Process"/> unless a test gives another.</summary>
    public HactlHost Host { get; init; } = HactlHost.Process;
}

/// <summary>
/// What hactl reads from its surroundings besides the command line: environment variables, standard input (for
/// confirmations), whether input and output are a terminal, and where clusterd's configuration lives.
/// </summary>
/// <param name="GetVariable">Reads an environment variable (null when unset).</param>
/// <param name="Input">Standard input, read for "are you sure" answers.</param>
/// <param name="IsInteractive">True when standard input and output are a terminal: only then does hactl ask.</param>
/// <param name="ClusterdConfigFile">clusterd's configuration file (default <c>/etc/clustermanager/clusterd.json</c>).</param>
/// <param name="User">The user name recorded as the author of changes.</param>
public sealed record HactlHost(
    Func<string, string?> GetVariable,
    TextReader Input,
    bool IsInteractive,
    string ClusterdConfigFile,
    string User)
{
    /// <summary>clusterd's configuration file on a node.</summary>
    public const string DefaultClusterdConfigFile = "/etc/clustermanager/clusterd.json";

    /// <summary>This process: its environment, <see cref="Console.In"/>, a terminal when neither side is redirected.</summary>
    public static HactlHost Process => new(
        Environment.GetEnvironmentVariable,
        Console.In,
        !Console.IsInputRedirected && !Console.IsOutputRedirected,
        DefaultClusterdConfigFile,
        Environment.UserName);

    /// <summary>No environment, no terminal, empty input, a configuration file that does not exist (for tests).</summary>
    public static HactlHost Isolated => new(
        _ => null,
        TextReader.Null,
        false,
        "/nonexistent/clusterd.json",
        "test");
}

/// <summary>Exit codes of hactl.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but could not do what was asked (e.g. the cluster refused or is unreachable).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a wrong command line, a missing or malformed file, an inconsistent configuration.</summary>
    public const int BadInput = 2;
}

/// <summary>
/// One command: its words (<c>["resource", "create"]</c>), a one-line summary, its usage text and the handler,
/// which returns the exit code.
/// </summary>
public sealed record CommandDefinition(
    IReadOnlyList<string> Words,
    string Summary,
    string Usage,
    Func<CommandContext, CancellationToken, Task<int>> Run)
{
    /// <summary>
    /// True when the command can work on a CIB file instead of the live cluster (pcs's <c>-f FILE</c>, given before the
    /// command or among its options); false for commands that need a running cluster or this node.
    /// </summary>
    public bool WorksOnFile { get; init; }

    /// <summary>The words joined (<c>resource create</c>).</summary>
    public string Name => string.Join(' ', Words);

    /// <summary>A command whose handler is synchronous.</summary>
    public static CommandDefinition Sync(IReadOnlyList<string> words, string summary, string usage, Func<CommandContext, int> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(words, summary, usage, (context, _) => Task.FromResult(run(context)));
    }
}

namespace ClusterManager.Cli.Commands;

/// <summary>What a command runs with: its arguments, the output streams and the clock.</summary>
public sealed record CommandContext(ArgumentCursor Args, TextWriter Out, TextWriter Error, TimeProvider Time);

/// <summary>Exit codes of hactl.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but could not do what was asked.</summary>
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
    Func<CommandContext, int> Run)
{
    /// <summary>The words joined (<c>resource create</c>).</summary>
    public string Name => string.Join(' ', Words);
}

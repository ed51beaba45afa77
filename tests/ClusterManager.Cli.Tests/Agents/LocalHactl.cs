using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Systemd;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Commands.Agents;

namespace ClusterManager.Cli.Tests.Agents;

/// <summary>What one hactl run printed and returned.</summary>
internal sealed record HactlRun(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n');
}

/// <summary>
/// Runs the local agent commands with chosen agent locations: this node's Debian agents (/usr/lib/ocf, /usr/sbin)
/// plus the repository's fencing-agents/ (which deploy installs next to hactl), systemd off unless asked.
/// </summary>
internal static class LocalHactl
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterManager.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ClusterManager.sln not found above the test directory");
    }

    public static LocalAgentSettings Settings(
        string? ocfRoot = null, bool systemdRunning = false, string? busAddress = null, IReadOnlyList<string>? unitDirectories = null) => new(
        new OcfOptions { OcfRoot = ocfRoot ?? "/usr/lib/ocf" },
        new SystemdOptions { BusAddress = busAddress ?? "unix:path=/nonexistent/cmt-cli-bus" },
        systemdRunning,
        unitDirectories ?? [],
        ["/usr/sbin", Path.Combine(RepositoryRoot(), "fencing-agents")]);

    /// <summary>Runs <paramref name="args"/> (command words first) against the local agent commands only.</summary>
    public static Task<HactlRun> RunAsync(params string[] args) => RunAsync(Settings(), args);

    /// <summary>Runs <paramref name="args"/> with <paramref name="settings"/>; usage errors print as hactl prints them.</summary>
    public static async Task<HactlRun> RunAsync(LocalAgentSettings settings, params string[] args)
    {
        var table = new CommandTable().AddRange(LocalAgentCommands.Definitions(() => settings));
        var command = table.Find(args) ?? throw new ArgumentException($"no local agent command in '{string.Join(' ', args)}'", nameof(args));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CommandContext(new ArgumentCursor(args.Skip(command.Words.Count)), stdout, stderr, TimeProvider.System)
        {
            Host = HactlHost.Isolated,
        };
        int code;
        try
        {
            code = await command.Run(context, CancellationToken.None);
        }
        catch (UsageException e)
        {
            stderr.Write($"error: {e.Message}\n");
            code = ExitCodes.BadInput;
        }

        return new HactlRun(code, stdout.ToString(), stderr.ToString());
    }
}

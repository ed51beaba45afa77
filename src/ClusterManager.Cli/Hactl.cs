using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Commands.Cluster;
using ClusterManager.Cli.Commands.Constraints;
using ClusterManager.Cli.Commands.Nodes;
using ClusterManager.Cli.Commands.Properties;
using ClusterManager.Cli.Commands.Resources;
using ClusterManager.Cli.Commands.Status;
using ClusterManager.Cli.Commands.Stonith;

namespace ClusterManager.Cli;

/// <summary>
/// The hactl command line: dispatches to the registered commands and turns usage errors into a message and
/// exit code 2. Runs in-process with any writers, so tests call <see cref="Run"/> directly.
/// </summary>
public static class Hactl
{
    private const string Overview = "hactl - manage and inspect a ClusterManager cluster (pcs/crm_simulate style)";

    /// <summary>The command table.</summary>
    public static CommandTable CreateCommands() => new CommandTable()
        .Add(SimulateCommand.Definition)
        .AddRange(StatusCommands.All)
        .AddRange(StatusQueryCommands.All)
        .AddRange(ResourceCommands.All)
        .AddRange(ConstraintCommands.All)
        .AddRange(PropertyCommands.All)
        .AddRange(StonithCommands.All)
        .AddRange(NodeCommands.All)
        .Add(ClusterSetupCommand.Definition)
        .AddRange(ClusterNodeCommands.All)
        .AddRange(ClusterMembershipCommands.All)
        .AddRange(Commands.Host.HostCommands.All)
        .AddRange(Commands.Vrrp.VrrpCommands.All)
        .AddRange(Commands.Agents.LocalAgentCommands.Definitions());

    /// <summary>Runs hactl with <paramref name="args"/>; returns the exit code (blocks; see <see cref="RunAsync"/>).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider? time = null, HactlHost? host = null) =>
        RunAsync(args, stdout, stderr, time, host).GetAwaiter().GetResult();

    /// <summary>Runs hactl with <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        TimeProvider? time = null,
        HactlHost? host = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var commands = CreateCommands();
        if (args.Length == 0)
        {
            WriteOverview(stderr, commands);
            return ExitCodes.BadInput;
        }

        if (args[0] is "--help" or "-h" or "help")
        {
            var topic = args.Skip(1).ToArray();
            if (topic.Length > 0 && commands.Find(topic) is { } described)
            {
                stdout.Write(described.Usage);
                return ExitCodes.Ok;
            }

            WriteOverview(stdout, commands);
            return ExitCodes.Ok;
        }

        var command = commands.Find(args);
        if (command is null)
        {
            stderr.Write($"error: unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2))}'\n");
            WriteOverview(stderr, commands);
            return ExitCodes.BadInput;
        }

        var cursor = new ArgumentCursor(args.Skip(command.Words.Count));
        if (cursor.WantsHelp)
        {
            stdout.Write(command.Usage);
            return ExitCodes.Ok;
        }

        try
        {
            var context = new CommandContext(cursor, stdout, stderr, time ?? TimeProvider.System) { Host = host ?? HactlHost.Process };
            return await command.Run(context, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            stderr.Write($"error: {e.Message}\n");
            stderr.Write(command.Usage);
            return ExitCodes.BadInput;
        }
    }

    private static void WriteOverview(TextWriter writer, CommandTable commands)
    {
        writer.Write(Overview + "\n\nUsage: hactl COMMAND [ARGS...]   (hactl COMMAND --help for details)\n\nCommands:\n");
        var width = commands.Commands.Max(c => c.Name.Length) + 2;
        foreach (var c in commands.Commands)
        {
            writer.Write($"  {c.Name.PadRight(width)}{c.Summary}\n");
        }
    }
}

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
        .Add(ClusterCibPushCommand.Definition)
        .Add(ClusterVerifyCommand.Definition)
        .Add(ClusterConfigCommand.Definition)
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

        // pcs's global "-f FILE" before the command: the command works on that CIB file (passed on as its own -f).
        string[] file = [];
        if (args is ["-f", var path, ..])
        {
            file = ["-f", path];
            args = args[2..];
        }
        else if (args is ["-f"])
        {
            stderr.Write("error: -f needs a file name (hactl -f FILE COMMAND ...)\n");
            return ExitCodes.BadInput;
        }

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

        var cursor = new ArgumentCursor(file.Concat(args.Skip(command.Words.Count)));
        if (cursor.WantsHelp)
        {
            stdout.Write(command.Usage);
            return ExitCodes.Ok;
        }

        if (file.Length > 0 && !command.WorksOnFile)
        {
            // Commands outside ClusterCommand work on this node (agents, simulate), drive the nodes' host agents
            // (setup, start, auth) or change the membership: none of them has a configuration to read from a file.
            stderr.Write($"error: '{command.Name}' cannot work on a CIB file (-f)\n");
            return ExitCodes.BadInput;
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
        writer.Write(Overview + "\n\nUsage: hactl [-f FILE] COMMAND [ARGS...]   (hactl COMMAND --help for details)\n\n"
                     + "  -f FILE   work on the CIB file FILE instead of the live cluster (pcs -f); push it with 'hactl cluster cib-push FILE'\n\n"
                     + "Commands:\n");
        var width = commands.Commands.Max(c => c.Name.Length) + 2;
        foreach (var c in commands.Commands)
        {
            writer.Write($"  {c.Name.PadRight(width)}{c.Summary}\n");
        }
    }
}

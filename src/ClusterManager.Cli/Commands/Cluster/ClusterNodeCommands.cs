using System.ComponentModel;
using System.Diagnostics;
using ClusterManager.Cli.Client;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster start|stop|enable|disable|destroy</c>: without node names, on this node (clusterd's systemd
/// unit; removing the node's cluster configuration and data); with <c>--all</c> or node names, on those nodes
/// through their host agents (<see cref="ClusterRemoteCommands"/>), as pcs does through pcsd.
/// </summary>
internal static class ClusterNodeCommands
{
    /// <summary>clusterd's systemd unit (deploy/clusterd.service).</summary>
    public const string Unit = "clusterd.service";

    /// <summary>Every command of this family.</summary>
    public static IEnumerable<CommandDefinition> All => [Start, Stop, Enable, Disable, Destroy];

    private static readonly CommandDefinition Start = Systemctl("start", "start clusterd on this node, the listed nodes or --all", "start", "--no-block");

    private static readonly CommandDefinition Stop = Systemctl("stop", "stop clusterd on this node, the listed nodes or --all", "stop");

    private static readonly CommandDefinition Enable = Systemctl("enable", "start clusterd at boot on this node, the listed nodes or --all", "enable");

    private static readonly CommandDefinition Disable = Systemctl("disable", "do not start clusterd at boot (this node, listed nodes, --all)", "disable");

    private const string DestroyUsage = """
        Usage: hactl cluster destroy [--all] [--yes] [--request-timeout SEC]

        Removes the cluster configuration and data, as pcs cluster destroy: the data directory (the replicated log
        and snapshots, i.e. the configuration) and the files named in clusterd.json (clusterd.json itself, CA,
        certificate, key, token hashes). Asks on a terminal; otherwise --yes is needed (never assumed).
          (no --all)  this node only; clusterd must be stopped first (hactl cluster stop)
          --all       every node of the cluster, through their host agents (hactl host auth first): each stops
                      and disables clusterd, then removes its configuration and data
        """;

    private static readonly CommandDefinition Destroy = new(["cluster", "destroy"], "remove the cluster configuration and data (this node or --all)", DestroyUsage, DestroyAsync);

    private static CommandDefinition Systemctl(string verb, string summary, params string[] systemctlArgs) => new(
        ["cluster", verb], summary, $"""
        Usage: hactl cluster {verb} [--all | NODE...]{(verb == "start" ? " [--wait[=SEC]]" : "")} [--request-timeout SEC]

        Without --all or node names: runs 'systemctl {string.Join(' ', systemctlArgs)} {Unit}' on this node.
        {RemoteVerb(verb)}
        {ClusterRemoteCommands.RemoteHelp}
        {(verb == "start" ? "  --wait[=SEC]      with --all/NODE: wait until clusterd runs on each node (default 60 s)" : "")}
        """, (context, cancellationToken) => RunAsync(context, verb, systemctlArgs, cancellationToken));

    private static string RemoteVerb(string verb) => verb switch
    {
        "start" => "With --all or NODE...: starts clusterd on those nodes (their host agents run systemctl start).",
        "stop" => "With --all or NODE...: stops clusterd on those nodes (all at once).",
        "enable" => "With --all or NODE...: clusterd starts at boot on those nodes (systemctl enable).",
        _ => "With --all or NODE...: clusterd does not start at boot on those nodes (systemctl disable).",
    };

    private static async Task<int> RunAsync(CommandContext context, string verb, string[] systemctlArgs, CancellationToken cancellationToken)
    {
        var all = context.Args.TakeFlag("--all");
        if (all || !context.Args.AtEnd)
        {
            return await ClusterRemoteCommands.RunAsync(context, verb, all, cancellationToken).ConfigureAwait(false);
        }

        return RunSystemctl(context, systemctlArgs);
    }

    private static int RunSystemctl(CommandContext context, string[] systemctlArgs)
    {
        context.Args.TakeOption("--request-timeout");
        if (context.Args.TakeFlagWithOptionalValue("--wait").Given)
        {
            throw new UsageException("--wait applies to --all or named nodes (on this node, 'systemctl status clusterd' shows it)");
        }

        if (!Directory.Exists("/run/systemd/system"))
        {
            context.Error.Write($"error: systemd is not running on this node; run clusterd directly: clusterd --config {context.Host.ClusterdConfigFile}\n");
            return ExitCodes.Failure;
        }

        var info = new ProcessStartInfo("systemctl") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in systemctlArgs.Append(Unit))
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                context.Error.Write($"error: systemctl {string.Join(' ', info.ArgumentList)} failed ({process.ExitCode}): {error.Trim()}\n");
                return ExitCodes.Failure;
            }
        }
        catch (Win32Exception e)
        {
            context.Error.Write($"error: cannot run systemctl: {e.Message}\n");
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> DestroyAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var yes = args.TakeFlag("--yes", "-y");
        args.TakeFlag("--force");
        if (args.TakeFlag("--all"))
        {
            return await ClusterRemoteCommands.DestroyAllAsync(context, yes, cancellationToken).ConfigureAwait(false);
        }

        if (!args.AtEnd)
        {
            throw new UsageException("cluster destroy takes --all or nothing (this node), as pcs");
        }

        var configFile = context.Host.ClusterdConfigFile;
        var config = ClusterdConfig.TryLoad(configFile);
        if (config is null)
        {
            context.Error.Write($"error: {configFile} does not exist or is not clusterd's configuration: nothing to destroy\n");
            return ExitCodes.Failure;
        }

        if (config.ApiEndpoint is { } api && await AnswersAsync(config, api, context, cancellationToken).ConfigureAwait(false))
        {
            context.Error.Write($"error: clusterd is running on this node ({api} answers); stop it first (hactl cluster stop)\n");
            return ExitCodes.Failure;
        }

        var doomed = new[] { config.DataDirectory }.OfType<string>().Where(Directory.Exists).ToList();
        var files = new[] { config.CaFile, config.CertificateFile, config.KeyFile, config.TokenHashesFile, configFile }.OfType<string>().Where(File.Exists).Distinct().ToList();
        var what = string.Join(", ", doomed.Concat(files));
        if (ClusterCommand.Confirm(context, $"Destroy the cluster on this node, deleting {what}", yes) is { } refused)
        {
            return refused;
        }

        try
        {
            foreach (var dir in doomed)
            {
                Directory.Delete(dir, recursive: true);
            }

            foreach (var file in files)
            {
                File.Delete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.Write($"error: {e.Message}\n");
            return ExitCodes.Failure;
        }

        context.Out.Write($"Cluster configuration and data removed from this node ({what})\n");
        return ExitCodes.Ok;
    }

    private static async Task<bool> AnswersAsync(ClusterdConfig config, string api, CommandContext context, CancellationToken cancellationToken)
    {
        var endpoint = new ClusterEndpoint(ClusterEndpoint.ParseAddress(api, config.TlsEnabled), null, null, null, null, TimeSpan.FromSeconds(3),
            context.Host.ClusterdConfigFile);
        using var client = new ClusterClient(endpoint, context.Host.User, context.Time);
        try
        {
            await client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e)
        {
            // Anything but "nobody listens" means a server is there (a TLS or token refusal included).
            return e.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded);
        }
    }
}

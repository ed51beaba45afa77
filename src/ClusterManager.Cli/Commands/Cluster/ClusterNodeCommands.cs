using System.ComponentModel;
using System.Diagnostics;
using ClusterManager.Cli.Client;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster start|stop|enable|disable|destroy</c> on this node: clusterd's systemd unit, and removing the
/// node's cluster configuration and data. pcs does these on remote nodes through pcsd; clusterd has no such
/// service, so --all and node names are refused with a clear message.
/// </summary>
internal static class ClusterNodeCommands
{
    /// <summary>clusterd's systemd unit (deploy/clusterd.service).</summary>
    public const string Unit = "clusterd.service";

    /// <summary>Every command of this family.</summary>
    public static IEnumerable<CommandDefinition> All => [Start, Stop, Enable, Disable, Destroy];

    private static readonly CommandDefinition Start = Systemctl("start", "start clusterd on this node", "start", "--no-block");

    private static readonly CommandDefinition Stop = Systemctl("stop", "stop clusterd on this node", "stop");

    private static readonly CommandDefinition Enable = Systemctl("enable", "start clusterd at boot on this node", "enable");

    private static readonly CommandDefinition Disable = Systemctl("disable", "do not start clusterd at boot on this node", "disable");

    private const string DestroyUsage = """
        Usage: hactl cluster destroy [--yes]

        Removes this node's cluster configuration and data, as pcs cluster destroy: the data directory (the
        replicated log and snapshots, i.e. the configuration) and the files named in clusterd.json (clusterd.json
        itself, CA, certificate, key, token hashes). clusterd must be stopped first (hactl cluster stop). Asks on a
        terminal; otherwise --yes is needed. Only this node: run it on each node to destroy a cluster.
        """;

    private static readonly CommandDefinition Destroy = new(["cluster", "destroy"], "remove this node's cluster configuration and data", DestroyUsage, DestroyAsync);

    private static CommandDefinition Systemctl(string verb, string summary, params string[] systemctlArgs) => CommandDefinition.Sync(
        ["cluster", verb], summary, $"""
        Usage: hactl cluster {verb}

        Runs 'systemctl {string.Join(' ', systemctlArgs)} {Unit}' on this node. clusterd has no remote control
        (pcsd), so --all and node names are not supported: run it on each node.

        """, context => RunSystemctl(context, verb, systemctlArgs));

    private static int RunSystemctl(CommandContext context, string verb, string[] systemctlArgs)
    {
        if (context.Args.TakeFlag("--all") || !context.Args.AtEnd)
        {
            throw new UsageException($"cluster {verb} works on this node only (clusterd has no pcsd to reach other nodes): run it on each node");
        }

        context.Args.TakeOption("--request-timeout");
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
        if (args.TakeFlag("--all") || !args.AtEnd)
        {
            throw new UsageException("cluster destroy works on this node only (clusterd has no pcsd to reach other nodes): run it on each node");
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

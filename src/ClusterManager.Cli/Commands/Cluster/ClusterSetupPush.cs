using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Commands.Host;
using ClusterManager.Cli.Setup;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster setup</c> through the host agents (pcs cluster setup through pcsd): every node must be
/// authenticated and reachable and none may be in a cluster (unless --force) before anything is installed, so a
/// refused node leaves no node half set up; then the CA, node certificates and the API token are made here and
/// each node gets its files. The CA (with its key) and the token stay next to the known-hosts file.
/// </summary>
internal static class ClusterSetupPush
{
    public static async Task<int> RunAsync(CommandContext context, string? legacyName, CancellationToken cancellationToken)
    {
        var args = context.Args;
        if (args.TakeOption("--config-dir") is not null || args.TakeOption("--data-dir") is not null)
        {
            throw new UsageException("--config-dir and --data-dir apply to --local only (each node's host agent decides where its files go)");
        }

        var noTls = args.TakeFlag("--no-tls");
        var force = args.TakeFlag("--force");
        var start = args.TakeFlag("--start");
        var enable = args.TakeFlag("--enable");
        var (wait, waitText) = args.TakeFlagWithOptionalValue("--wait");
        if (wait && !start)
        {
            throw new UsageException("--wait goes with --start");
        }

        var timeout = HostTargets.Timeout(args);
        var clusterName = legacyName ?? args.Take("cluster name");
        if (clusterName.Contains('=', StringComparison.Ordinal) || clusterName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\'))
        {
            throw new UsageException($"'{clusterName}' is not a cluster name (no '=', '/', spaces or control characters)");
        }

        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        var nodes = ClusterSetupCommand.ParseNodes(args, name => known.Hosts.TryGetValue(name, out var host) && IPAddress.TryParse(host.Address, out var ip) ? ip : null);
        var names = nodes.Select(n => n.Name).ToList();
        if (HostTargets.Unauthenticated(names, known) is { Count: > 0 } missing)
        {
            context.Error.Write($"error: {HostTargets.NotAuthenticatedMessage(missing, path)}\n"
                                + "  (or write the files for copying by hand: hactl cluster setup ... --local)\n");
            return ExitCodes.Failure;
        }

        // Phase 1: every node answers and is free (pcs: "host is already in a cluster").
        var checks = await HostTargets.RunAsync(names, known, timeout, async (client, ct) =>
        {
            var status = await client.Service.StatusAsync(new HostStatusRequest(), client.Options(ct)).ConfigureAwait(false);
            if (status.Running)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.FailedPrecondition,
                    $"clusterd is running there: it is in a cluster already{(status.ClusterName.Length > 0 ? $" ('{status.ClusterName}')" : "")}; stop and destroy it first"));
            }

            if (status.Configured && !force)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.FailedPrecondition,
                    $"it has a cluster configuration already{(status.ClusterName.Length > 0 ? $" ('{status.ClusterName}')" : "")}; use --force to replace it, or hactl cluster destroy --all"));
            }

            return "ready";
        }, cancellationToken).ConfigureAwait(false);
        if (checks.Any(c => !c.Succeeded))
        {
            HostTargets.Report(context, [.. checks.Where(c => !c.Succeeded)]);
            context.Error.Write("Nothing was changed on any node.\n");
            return ExitCodes.Failure;
        }

        // Phase 2: the secrets, kept here first (a node without the token is still reachable with its certificate).
        var now = context.Time.GetUtcNow();
        var directory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "clusters", clusterName);
        using var pki = noTls ? null : ClusterPki.Create(clusterName, now, ClusterSetupCommand.CaLifetime);
        var tokenHashes = "";
        try
        {
            Directory.CreateDirectory(directory);
            if (pki is not null)
            {
                var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                tokenHashes = $"# user:sha256(token), one per line\nadmin:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}\n";
                ClusterSetupCommand.WriteFile(Path.Combine(directory, "ca.pem"), pki.Ca.ExportCertificatePem(), secret: false);
                ClusterSetupCommand.WriteFile(Path.Combine(directory, "ca.key"), pki.ExportCaKeyPem(), secret: true);
                ClusterSetupCommand.WriteFile(Path.Combine(directory, "admin.token"), token + "\n", secret: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.Write($"error: cannot write {directory}: {e.Message}\nNothing was changed on any node.\n");
            return ExitCodes.Failure;
        }

        // Phase 3: each node's files.
        context.Out.Write($"Sending the configuration of cluster '{clusterName}' to {string.Join(", ", names)}\n");
        var requests = nodes.ToDictionary(n => n.Name, n => Request(clusterName, n, nodes, pki, tokenHashes, force, now));
        var pushed = await HostTargets.RunAsync(names, known, timeout, async (client, ct) =>
            (await client.Service.PushSetupAsync(requests[client.Name], client.Options(ct)).ConfigureAwait(false)).Message,
            cancellationToken).ConfigureAwait(false);
        var code = HostTargets.Report(context, pushed);
        if (code != ExitCodes.Ok)
        {
            context.Error.Write($"The cluster is only partly set up; fix the node(s) above and run the setup again with --force.\n");
            return code;
        }

        (known with { Cluster = new KnownCluster(clusterName, names, directory) }).Save(path);
        if (enable)
        {
            code = await RunAllAsync(context, "enable", names, timeout, cancellationToken).ConfigureAwait(false);
        }

        if (start && code == ExitCodes.Ok)
        {
            code = await RunAllAsync(context, "start", names, timeout, cancellationToken, wait ? waitText : null, wait).ConfigureAwait(false);
        }

        context.Out.Write($"Cluster '{clusterName}' has been set up on {names.Count} nodes.\n");
        if (!start)
        {
            context.Out.Write("Start it: hactl cluster start --all" + (enable ? "\n" : "   (at boot too: hactl cluster enable --all)\n"));
        }

        if (pki is not null)
        {
            var first = nodes[0];
            context.Out.Write($"On a node, hactl finds clusterd through /etc/clustermanager/clusterd.json. From elsewhere:\n"
                              + $"  export HACTL_SERVER=https://{first.Api} HACTL_CA_FILE={Path.Combine(directory, "ca.pem")} HACTL_TOKEN_FILE={Path.Combine(directory, "admin.token")}\n"
                              + $"Keep {Path.Combine(directory, "ca.key")} safe: it issues the certificates of nodes added later.\n");
        }

        context.Out.Write($"Once the nodes run: hactl property set cluster-name={clusterName}\n");
        return code;
    }

    private static async Task<int> RunAllAsync(CommandContext context, string verb, IReadOnlyList<string> names, TimeSpan timeout, CancellationToken cancellationToken,
        string? waitText = null, bool wait = false)
    {
        var args = new List<string>(names) { "--request-timeout", timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (wait)
        {
            args.Add(waitText is null ? "--wait" : $"--wait={waitText}");
        }

        var sub = context with { Args = new ArgumentCursor(args) };
        return await ClusterRemoteCommands.RunAsync(sub, verb, all: false, cancellationToken).ConfigureAwait(false);
    }

    private static HostPushSetupRequest Request(string clusterName, ClusterSetupCommand.SetupNode node, IReadOnlyList<ClusterSetupCommand.SetupNode> nodes,
        ClusterPki? pki, string tokenHashes, bool force, DateTimeOffset now)
    {
        var request = new HostPushSetupRequest
        {
            ClusterName = clusterName,

            // Paths in it are placeholders: the agent writes its own.
            ClusterdJson = ClusterSetupCommand.NodeConfig(node, nodes, "/etc/clustermanager", "/var/lib/clustermanager", pki is not null),
            TokenHashes = tokenHashes,
            Force = force,
        };
        if (pki is not null)
        {
            using var certificate = pki.Issue(node.Name, [node.Raft.Address, node.Api.Address], now, ClusterSetupCommand.NodeLifetime);
            using var key = certificate.GetECDsaPrivateKey()!;
            request.CaPem = pki.Ca.ExportCertificatePem();
            request.CertificatePem = certificate.ExportCertificatePem();
            request.KeyPem = key.ExportPkcs8PrivateKeyPem();
        }

        return request;
    }
}

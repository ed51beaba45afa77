using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Setup;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster setup</c>: makes what every node needs to form a cluster (each node's clusterd.json with the
/// static node list, a cluster CA with a certificate per node, an API token for hactl) and, as pcs cluster setup,
/// installs it on every node through the host agents (<see cref="ClusterSetupPush"/>); with <c>--local</c> or
/// <c>--output-dir</c>, writes it into a directory the operator copies to the nodes instead.
/// </summary>
internal static class ClusterSetupCommand
{
    /// <summary>The Raft port when addr= gives none (clusterd.example.json).</summary>
    public const int DefaultRaftPort = 7400;

    internal static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    internal static readonly TimeSpan NodeLifetime = TimeSpan.FromDays(1825);

    private const string Usage = """
        Usage: hactl cluster setup CLUSTER_NAME (NODE_NAME [addr=IP[:RAFT_PORT]] [api=IP:API_PORT] [witness=true])...
                   [--start [--wait[=SEC]]] [--enable] [--force] [--no-tls] [--request-timeout SEC]
               hactl cluster setup CLUSTER_NAME (NODE_NAME ...)... (--local | --output-dir DIR)
                   [--config-dir DIR] [--data-dir DIR] [--no-tls] [--force]

        Creates a cluster, as pcs cluster setup. The nodes' host agents (clusterd-host) must be authenticated
        first (hactl host auth NODE addr=IP ... -u hacluster). hactl then checks that no node is in a cluster,
        makes the cluster CA, a certificate per node and an API token, and installs each node's configuration
        there (/etc/clustermanager: clusterd.json, ca.pem, node.pem, node.key, api-tokens). It keeps the CA (with
        its key) and the API token next to the known-hosts file, in clusters/CLUSTER_NAME/. Then
        'hactl cluster start --all' (and 'hactl cluster enable --all' to start at boot).
          --start, --enable  start clusterd / enable it at boot on every node right after the setup
          --wait[=SEC]       with --start: wait until clusterd runs on every node
          --force            replace an existing cluster configuration (and delete clusterd's data) on the nodes

        --local or --output-dir DIR: nothing is sent; the files are written into DIR (default ./CLUSTER_NAME)
        for copying to the nodes by hand (nodes without a host agent):
          ca.pem, ca.key          the cluster CA (keep ca.key offline: it issues certificates for new nodes)
          admin.token             an API token for hactl (HACTL_TOKEN_FILE, or ~/.config/clustermanager/token)
          NODE/clusterd.json      the node's configuration (static node list, TLS, token hashes)
          NODE/ca.pem, NODE/node.pem, NODE/node.key, NODE/api-tokens
        Copy NODE/* to --config-dir (default /etc/clustermanager) on each node, then start clusterd there
        (systemctl enable --now clusterd). Afterwards: hactl property set cluster-name=CLUSTER_NAME.

          addr=IP[:PORT]   the node's address for Raft (an IP address: no DNS lookups); default port 7400;
                           without addr=: the address given to 'hactl host auth' for the node, or the node
                           name when it is an IP address
          api=IP:PORT      the node's API endpoint (default: the addr IP, port 7401)
          witness=true     a quorum-only member (votes, never runs resources)
          --config-dir, --data-dir  where the node keeps its files (%n in them: the node name, for several
                           nodes on one machine)
          --no-tls         no CA, certificates or token (lab use only: the API is then open to anyone)
          --force          (--local) write into a DIR that is not empty
        """;

    /// <summary>The command's entry in the command table.</summary>
    public static readonly CommandDefinition Definition = new(["cluster", "setup"], "create a cluster: configure every node through its host agent (or --local)", Usage, RunAsync);

    /// <summary>One node of the setup.</summary>
    internal sealed record SetupNode(string Name, IPEndPoint Raft, IPEndPoint Api, bool Witness);

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var outputDir = args.TakeOption("--output-dir");
        var local = args.TakeFlag("--local") || outputDir is not null;
        args.TakeFlag("--no-cluster-uuid");

        // pcs 0.9's 'cluster setup --name NAME NODE...', still in many guides.
        var legacyName = args.TakeOption("--name");
        if (legacyName is not null)
        {
            context.Error.Write("Warning: --name is pcs 0.9 syntax; use 'cluster setup NAME NODE...'\n");
        }

        if (!local)
        {
            return await ClusterSetupPush.RunAsync(context, legacyName, cancellationToken).ConfigureAwait(false);
        }

        var configDir = args.TakeOption("--config-dir") ?? "/etc/clustermanager";
        var dataDir = args.TakeOption("--data-dir") ?? "/var/lib/clustermanager";
        var noTls = args.TakeFlag("--no-tls");
        var force = args.TakeFlag("--force");
        if (args.TakeFlag("--start") || args.TakeFlag("--enable"))
        {
            throw new UsageException("--start and --enable need the host agents; with --local, copy the files, then run 'systemctl enable --now clusterd' on each node");
        }

        var clusterName = legacyName ?? args.Take("cluster name");
        var nodes = ParseNodes(args);
        var output = Path.GetFullPath(outputDir ?? clusterName);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !force)
        {
            context.Error.Write($"error: {output} is not empty (use --force to write into it)\n");
            return ExitCodes.BadInput;
        }

        try
        {
            Write(output, clusterName, nodes, configDir, dataDir, !noTls, context.Time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.Write($"error: cannot write {output}: {e.Message}\n");
            return ExitCodes.Failure;
        }

        context.Out.Write($"Cluster '{clusterName}' ({nodes.Count} nodes) written to {output}\n");
        foreach (var node in nodes)
        {
            context.Out.Write($"  {node.Name}: copy {Path.Combine(output, node.Name)}/* to {configDir.Replace("%n", node.Name, StringComparison.Ordinal)}/ on {node.Raft.Address}, then: systemctl enable --now clusterd\n");
        }

        if (!noTls)
        {
            context.Out.Write($"hactl: export HACTL_TOKEN_FILE={Path.Combine(output, "admin.token")} HACTL_CA_FILE={Path.Combine(output, "ca.pem")}\n");
            context.Out.Write($"Keep {Path.Combine(output, "ca.key")} offline: it issues the certificates of nodes added later.\n");
        }

        context.Out.Write($"Once the nodes run: hactl property set cluster-name={clusterName}\n");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Parses <c>(NODE [addr=IP[:PORT]] [api=IP:PORT] [witness=true])...</c>; a node without addr= gets
    /// <paramref name="knownAddress"/>'s address for it (host auth's), else its name when that is an IP address.
    /// </summary>
    /// <exception cref="UsageException">A node is malformed, named twice, or an endpoint is used twice.</exception>
    internal static IReadOnlyList<SetupNode> ParseNodes(ArgumentCursor args, Func<string, IPAddress?>? knownAddress = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var nodes = new List<SetupNode>();
        while (!args.AtEnd)
        {
            var name = args.Take("node name");
            if (name is "transport" or "totem" or "quorum" or "link" or "compression" or "crypto")
            {
                throw new UsageException($"'{name}' options are corosync's; clusterd has no corosync (its timeouts are in clusterd.json)");
            }

            if (name.Contains('=', StringComparison.Ordinal) || name.Length == 0)
            {
                throw new UsageException($"'{name}': a node name is expected before its options");
            }

            IPEndPoint? raft = null;
            IPEndPoint? api = null;
            var witness = false;
            foreach (var (key, value) in args.TakeNameValues())
            {
                switch (key)
                {
                    case "addr":
                        raft = raft is null
                            ? ParseEndPoint(name, key, value, DefaultRaftPort)
                            : throw new UsageException($"node {name}: addr= is given more than once (clusterd uses one address per node)");
                        break;
                    case "api":
                        api = ParseEndPoint(name, key, value, ClusterEndpoint.DefaultPort);
                        break;
                    case "witness":
                        witness = value.ToLowerInvariant() switch
                        {
                            "true" or "yes" or "1" or "on" => true,
                            "false" or "no" or "0" or "off" => false,
                            _ => throw new UsageException($"node {name}: witness={value} is not true or false"),
                        };
                        break;
                    default:
                        throw new UsageException($"node {name}: unknown option '{key}' (use addr=, api=, witness=)");
                }
            }

            if (raft is null)
            {
                raft = knownAddress?.Invoke(name) is { } known
                    ? new IPEndPoint(known, DefaultRaftPort)
                    : IPAddress.TryParse(name, out var ip)
                        ? new IPEndPoint(ip, DefaultRaftPort)
                        : throw new UsageException($"node {name}: addr=IP is needed (node names are not looked up in DNS)");
            }

            api ??= new IPEndPoint(raft.Address, ClusterEndpoint.DefaultPort);
            if (nodes.Any(n => n.Name == name))
            {
                throw new UsageException($"node {name} is given more than once");
            }

            var used = nodes.SelectMany(n => new[] { n.Raft, n.Api }).ToList();
            if (used.Contains(raft) || used.Contains(api) || raft.Equals(api))
            {
                throw new UsageException($"node {name}: an address and port is used twice ({(raft.Equals(api) ? raft : used.Contains(raft) ? raft : api)})");
            }

            nodes.Add(new SetupNode(name, raft, api, witness));
        }

        if (nodes.Count == 0)
        {
            throw new UsageException("give at least one node: NODE addr=IP");
        }

        if (nodes.Count(n => !n.Witness) == 0)
        {
            throw new UsageException("every node is a witness: at least one must run resources");
        }

        return nodes;
    }

    /// <summary>Writes the files (see the usage text) into <paramref name="output"/>.</summary>
    internal static void Write(string output, string clusterName, IReadOnlyList<SetupNode> nodes, string configDir, string dataDir, bool tls, DateTimeOffset now)
    {
        Directory.CreateDirectory(output);
        ClusterPki? pki = null;
        string? tokenHashLine = null;
        try
        {
            if (tls)
            {
                pki = ClusterPki.Create(clusterName, now, CaLifetime);
                WriteFile(Path.Combine(output, "ca.pem"), pki.Ca.ExportCertificatePem(), secret: false);
                WriteFile(Path.Combine(output, "ca.key"), pki.ExportCaKeyPem(), secret: true);
                var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                WriteFile(Path.Combine(output, "admin.token"), token + "\n", secret: true);
                tokenHashLine = $"admin:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}\n";
            }

            foreach (var node in nodes)
            {
                var dir = Path.Combine(output, node.Name);
                Directory.CreateDirectory(dir);
                WriteFile(Path.Combine(dir, "clusterd.json"), NodeConfig(node, nodes, configDir, dataDir, tls), secret: false);
                if (pki is not null)
                {
                    using var certificate = pki.Issue(node.Name, [node.Raft.Address, node.Api.Address], now, NodeLifetime);
                    WriteFile(Path.Combine(dir, "ca.pem"), pki.Ca.ExportCertificatePem(), secret: false);
                    WriteFile(Path.Combine(dir, "node.pem"), certificate.ExportCertificatePem(), secret: false);
                    WriteFile(Path.Combine(dir, "node.key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true);
                    WriteFile(Path.Combine(dir, "api-tokens"), "# user:sha256(token), one per line\n" + tokenHashLine, secret: true);
                }
            }
        }
        finally
        {
            pki?.Dispose();
        }
    }

    /// <summary>One node's clusterd.json (section Clusterd, as clusterd.example.json).</summary>
    internal static string NodeConfig(SetupNode self, IReadOnlyList<SetupNode> nodes, string configDir, string dataDir, bool tls)
    {
        ArgumentNullException.ThrowIfNull(self);
        configDir = configDir.Replace("%n", self.Name, StringComparison.Ordinal);
        dataDir = dataDir.Replace("%n", self.Name, StringComparison.Ordinal);
        var section = new JsonObject
        {
            ["NodeName"] = self.Name,
            ["DataDirectory"] = dataDir,
            ["LogDirectory"] = "/var/log/clustermanager",
            ["Nodes"] = new JsonArray([.. nodes.Select(n =>
            {
                var entry = new JsonObject { ["Name"] = n.Name, ["RaftEndpoint"] = n.Raft.ToString(), ["ApiEndpoint"] = n.Api.ToString() };
                if (n.Witness)
                {
                    entry["Witness"] = true;
                }

                return (JsonNode)entry;
            })]),
        };
        if (tls)
        {
            section["Security"] = new JsonObject
            {
                ["CaFile"] = Path.Combine(configDir, "ca.pem"),
                ["CertificateFile"] = Path.Combine(configDir, "node.pem"),
                ["KeyFile"] = Path.Combine(configDir, "node.key"),
                ["TokenHashesFile"] = Path.Combine(configDir, "api-tokens"),
            };
        }

        return new JsonObject { ["Clusterd"] = section }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static IPEndPoint ParseEndPoint(string node, string key, string value, int defaultPort)
    {
        if (IPAddress.TryParse(value, out var address) && !value.Contains("]:", StringComparison.Ordinal)
                                                        && (value.Count(c => c == ':') != 1 || address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            return new IPEndPoint(address, defaultPort);
        }

        if (IPEndPoint.TryParse(value, out var endPoint) && endPoint.Port > 0)
        {
            return endPoint;
        }

        throw new UsageException($"node {node}: {key}={value} is not an IP address or IP:PORT (names are not looked up in DNS)");
    }

    internal static void WriteFile(string path, string text, bool secret)
    {
        if (secret && !OperatingSystem.IsWindows())
        {
            // Created with mode 600 before any secret is written into it.
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
            return;
        }

        File.WriteAllText(path, text);
    }
}

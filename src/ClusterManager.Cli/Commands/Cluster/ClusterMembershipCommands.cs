using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Commands.Host;
using ClusterManager.Cli.Setup;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster node add|remove|list</c>: membership changes as pcs cluster node add/remove, through the cluster
/// (MembershipService: the leader records the member and changes the Raft configuration) and the host agents (the
/// new node's configuration and certificate, the other nodes' node lists, stopping and destroying a removed node).
/// </summary>
internal static class ClusterMembershipCommands
{
    private static readonly TimeSpan DefaultJoinWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ChangeLimit = TimeSpan.FromSeconds(60);

    /// <summary>Every command of this family.</summary>
    public static IEnumerable<CommandDefinition> All => [Add, Remove, Delete, List];

    private const string AddUsage = """
        Usage: hactl cluster node add NODE [addr=IP[:RAFT_PORT]] [api=IP:API_PORT] [--start [--wait[=SEC]]] [--enable]

        Adds a node to the running cluster, as pcs cluster node add. Its host agent must be authenticated first
        (hactl host auth NODE addr=IP -u hacluster) and it must not be in a cluster. hactl checks the cluster (quorum;
        the name and the addresses are free), records the node in the cluster (state joining: every member learns
        its name and addresses), issues its certificate from the cluster CA that 'hactl cluster setup' keeps here
        (clusters/NAME/ next to the known-hosts file), installs its configuration through its host agent (the
        members and itself, with Join: it waits to be added instead of forming a cluster of its own), and updates
        the node list in the other nodes' clusterd.json. Once clusterd runs on the new node, it asks the leader to
        add it: the leader catches it up (the whole configuration), then adds it to the Raft membership.
          addr=IP[:PORT]  the node's Raft address (an IP address: no DNS lookups); default: the address given to
                          'hactl host auth' for it, port 7400
          api=IP:PORT     its API endpoint (default: the addr IP, port 7401)
          --start         start clusterd there right away (else: hactl cluster start NODE later)
          --wait[=SEC]    with --start: wait until it is a voting member (default 60 s)
          --enable        start clusterd there at boot
        """;

    private const string RemoveUsage = """
        Usage: hactl cluster node remove NODE [--yes]   (also: hactl cluster node delete NODE)

        Removes a node from the cluster, as pcs cluster node remove. Asks on a terminal; otherwise --yes is needed
        (never assumed). The node's resources move to the other nodes first (it is in standby meanwhile; at most 60 s,
        else nothing is removed), then it leaves the Raft membership and the cluster forgets it (its node attributes
        and status); when it is the leader, leadership moves to another member first. Then clusterd is stopped and
        its cluster configuration and data are deleted there through its host agent (hactl host auth), and the other
        nodes' clusterd.json no longer list it.
        Refused when the node is not a member, when it is the last member (hactl cluster destroy), when only
        witnesses would remain, and when the remaining members that answer would not be a majority of the rest
        (the change could not commit: no quorum).
        """;

    private const string ListUsage = """
        Usage: hactl cluster node list [--output json]

        The members as the cluster records them: name, state (member; joining: recorded, not yet added; leaving:
        its resources move away; removed: still in the Raft membership), whether it votes (in the Raft membership),
        its Raft and API endpoints, and whether it answers (the leader's view is the accurate one).
        """;

    private static readonly CommandDefinition Add = new(["cluster", "node", "add"], "add a node to the running cluster (Raft membership change)",
        AddUsage + "\nConnection options:\n" + ClusterEndpoint.OptionsHelp, AddAsync);

    private static readonly CommandDefinition Remove = new(["cluster", "node", "remove"], "remove a node from the cluster (its resources move away first)",
        RemoveUsage + "\nConnection options:\n" + ClusterEndpoint.OptionsHelp, RemoveAsync);

    private static readonly CommandDefinition Delete = new(["cluster", "node", "delete"], "alias of cluster node remove",
        RemoveUsage + "\nConnection options:\n" + ClusterEndpoint.OptionsHelp, RemoveAsync);

    private static readonly CommandDefinition List = ClusterCommand.Define(["cluster", "node", "list"], "list the cluster's members and their Raft state", ListUsage, ListAsync);

    private static async Task<int> ListAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        if (!call.Args.AtEnd)
        {
            throw new UsageException($"unexpected argument '{call.Args.Peek()}'");
        }

        var response = await call.Live.ListMembersAsync(cancellationToken).ConfigureAwait(false);
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonObject
            {
                ["leader"] = response.Leader.Length > 0 ? response.Leader : null,
                ["quorate"] = response.HasQuorum,
                ["members"] = new JsonArray([.. response.Members.Select(m => (JsonNode)new JsonObject
                {
                    ["name"] = m.Name,
                    ["state"] = m.State,
                    ["voting"] = m.Voting,
                    ["leader"] = m.IsLeader,
                    ["status"] = m.Status.Length > 0 ? m.Status : null,
                    ["raft_endpoint"] = m.RaftEndpoint,
                    ["api_endpoint"] = m.ApiEndpoint.Length > 0 ? m.ApiEndpoint : null,
                    ["witness"] = m.Witness,
                })]),
            });
            return ExitCodes.Ok;
        }

        var rows = response.Members.Select(m => new[]
        {
            m.Name + (m.IsLeader ? " (leader)" : ""), m.State + (m.Witness ? ", witness" : ""), m.Voting ? "yes" : "no",
            m.Status.Length > 0 ? m.Status : "-", m.RaftEndpoint, m.ApiEndpoint.Length > 0 ? m.ApiEndpoint : "-",
        }).Prepend(["NAME", "STATE", "VOTING", "STATUS", "RAFT", "API"]).ToList();
        var widths = Enumerable.Range(0, 6).Select(c => rows.Max(r => r[c].Length) + 2).ToArray();
        foreach (var row in rows)
        {
            call.Out.Write(string.Concat(row.Select((cell, c) => c < 5 ? cell.PadRight(widths[c]) : cell)) + "\n");
        }

        if (!response.HasQuorum)
        {
            call.Out.Write("No quorum: this node knows no leader (the states may be stale).\n");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> AddAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var start = args.TakeFlag("--start");
        var enable = args.TakeFlag("--enable");
        var (waitGiven, waitText) = args.TakeFlagWithOptionalValue("--wait");
        var endpoint = ClusterEndpoint.Resolve(args, context.Host);
        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        var nodes = ClusterSetupCommand.ParseNodes(args, name => known.Hosts.TryGetValue(name, out var h) && IPAddress.TryParse(h.Address, out var ip) ? ip : null);
        if (nodes.Count != 1)
        {
            throw new UsageException("give one node (nodes are added one at a time)");
        }

        var node = nodes[0];
        if (node.Witness)
        {
            throw new UsageException("witness=true: a witness is set up with 'hactl cluster setup'; cluster node add adds a node that runs resources");
        }

        var wait = WaitLimit(waitText, start, waitGiven);
        if (!known.Hosts.ContainsKey(node.Name))
        {
            context.Error.Write($"error: {HostTargets.NotAuthenticatedMessage([node.Name], path)}\n");
            return ExitCodes.Failure;
        }

        using var client = new ClusterClient(endpoint, context.Host.User, context.Time);
        try
        {
            return await AddAsync(context, client, known, path, node, start, enable, wait, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            context.Error.Write($"error: {client.Describe(e)}\n");
            return ExitCodes.Failure;
        }
    }

    private static TimeSpan? WaitLimit(string? waitText, bool start, bool given)
    {
        if (!given)
        {
            return null;
        }

        if (!start)
        {
            throw new UsageException("--wait goes with --start");
        }

        return waitText is null ? DefaultJoinWait
            : int.TryParse(waitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
                ? TimeSpan.FromSeconds(s)
                : throw new UsageException($"--wait={waitText}: give a positive number of seconds");
    }

    private static async Task<int> AddAsync(CommandContext context, ClusterClient client, KnownHosts known, string path, ClusterSetupCommand.SetupNode node,
        bool start, bool enable, TimeSpan? wait, CancellationToken cancellationToken)
    {
        // 1. The cluster: quorum, the name and the addresses free (the leader checks again when it records).
        var members = await client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
        if (!members.HasQuorum || members.Leader.Length == 0)
        {
            context.Error.Write("error: no quorum: the cluster has no leader (nothing was changed)\n");
            return ExitCodes.Failure;
        }

        var current = members.Members.Where(m => m.State != "removed").ToList();
        if (current.FirstOrDefault(m => m.Name == node.Name) is { State: not "joining" } existing)
        {
            context.Error.Write($"error: node {node.Name} is already a member of the cluster ({existing.State}, raft {existing.RaftEndpoint})\n");
            return ExitCodes.Failure;
        }

        foreach (var other in current.Where(m => m.Name != node.Name))
        {
            foreach (var used in new[] { other.RaftEndpoint, other.ApiEndpoint })
            {
                if (used == node.Raft.ToString() || used == node.Api.ToString())
                {
                    context.Error.Write($"error: address {used} is already used by node {other.Name}\n");
                    return ExitCodes.Failure;
                }
            }
        }

        // 2. The new node's host agent: reachable, not in a cluster.
        var timeout = client.Endpoint.Timeout;
        var check = await HostTargets.RunAsync([node.Name], known, timeout, async (agent, ct) =>
        {
            var status = await agent.Service.StatusAsync(new HostStatusRequest(), agent.Options(ct)).ConfigureAwait(false);
            if (status.Running || status.Configured)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition,
                    $"it is in a cluster already{(status.ClusterName.Length > 0 ? $" ('{status.ClusterName}')" : "")}: remove it from there and destroy it first (hactl cluster destroy)"));
            }

            return "ready";
        }, cancellationToken).ConfigureAwait(false);
        if (!check[0].Succeeded)
        {
            HostTargets.Report(context, check);
            context.Error.Write("Nothing was changed.\n");
            return ExitCodes.Failure;
        }

        // 3. The secrets: the cluster CA and the API token that 'cluster setup' keeps here.
        var tls = client.Endpoint.Address.Scheme == Uri.UriSchemeHttps;
        var directory = known.Cluster?.Directory;
        var clusterName = known.Cluster?.Name;
        if (clusterName is null || (tls && (directory is null || !File.Exists(Path.Combine(directory, "ca.key")))))
        {
            context.Error.Write($"error: the cluster's CA {(clusterName is null ? "and name are" : "is")} not kept here ({path} names no cluster{(directory is null ? "" : $", or {directory}/ca.key is missing")}): "
                                + "run this where 'hactl cluster setup' ran, or copy its clusters/NAME/ directory and known-hosts 'cluster' entry. Nothing was changed.\n");
            return ExitCodes.Failure;
        }

        var nodeList = current.Where(m => m.Name != node.Name)
            .Select(m => new ClusterSetupCommand.SetupNode(m.Name, IPEndPoint.Parse(m.RaftEndpoint), IPEndPoint.Parse(m.ApiEndpoint), m.Witness))
            .Append(node).ToList();
        HostPushSetupRequest push;
        try
        {
            push = PushRequest(clusterName, node, nodeList, tls ? directory : null, context.Time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            context.Error.Write($"error: cannot use the cluster CA in {directory}: {e.Message}. Nothing was changed.\n");
            return ExitCodes.Failure;
        }

        // 4. Record the node (joining) in the cluster, then install its configuration.
        var recorded = await client.AddMemberAsync(node.Name, node.Raft.ToString(), node.Api.ToString(), recordOnly: true, ChangeLimit, cancellationToken).ConfigureAwait(false);
        context.Out.Write($"{recorded.Message}\n");
        var pushed = await HostTargets.RunAsync([node.Name], known, timeout, async (agent, ct) =>
            (await agent.Service.PushSetupAsync(push, agent.Options(ct)).ConfigureAwait(false)).Message, cancellationToken).ConfigureAwait(false);
        if (HostTargets.Report(context, pushed) != ExitCodes.Ok)
        {
            context.Error.Write($"Node {node.Name} is recorded as joining but has no configuration: fix it and run the command again (or: hactl cluster node remove {node.Name}).\n");
            return ExitCodes.Failure;
        }

        // 5. The other nodes' clusterd.json (as pcs updates corosync.conf everywhere).
        var code = await UpdateNodeListsAsync(context, known, [.. current.Where(m => m.Name != node.Name).Select(m => m.Name)], nodeList, timeout, cancellationToken)
            .ConfigureAwait(false);
        if (known.Cluster is { } cluster && !cluster.Nodes.Contains(node.Name))
        {
            (known with { Cluster = cluster with { Nodes = [.. cluster.Nodes, node.Name] } }).Save(path);
        }

        // 6. Start (it asks the leader to add it) and wait.
        foreach (var verb in (enable ? new[] { "enable" } : []).Concat(start ? ["start"] : []))
        {
            var done = await HostTargets.RunAsync([node.Name], known, timeout, async (agent, ct) =>
                (await (verb == "start"
                    ? agent.Service.StartAsync(new HostServiceRequest(), agent.Options(ct))
                    : agent.Service.EnableAsync(new HostServiceRequest(), agent.Options(ct))).ConfigureAwait(false)).Message, cancellationToken).ConfigureAwait(false);
            code = Math.Max(code, HostTargets.Report(context, done));
        }

        if (wait is { } limit && code == ExitCodes.Ok)
        {
            return await WaitJoinedAsync(context, client, node.Name, limit, cancellationToken).ConfigureAwait(false);
        }

        context.Out.Write(start
            ? $"Node {node.Name} joins once the leader has caught it up (hactl cluster node list).\n"
            : $"Node {node.Name} joins when clusterd starts there: hactl cluster start {node.Name}\n");
        return code;
    }

    private static HostPushSetupRequest PushRequest(string clusterName, ClusterSetupCommand.SetupNode node, IReadOnlyList<ClusterSetupCommand.SetupNode> nodes,
        string? caDirectory, DateTimeOffset now)
    {
        var json = JsonNode.Parse(ClusterSetupCommand.NodeConfig(node, nodes, "/etc/clustermanager", "/var/lib/clustermanager", caDirectory is not null))!;
        json["Clusterd"]!["Join"] = true;
        var request = new HostPushSetupRequest { ClusterName = clusterName, ClusterdJson = json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n" };
        if (caDirectory is null)
        {
            return request;
        }

        using var pki = ClusterPki.Load(File.ReadAllText(Path.Combine(caDirectory, "ca.pem")), File.ReadAllText(Path.Combine(caDirectory, "ca.key")));
        using var certificate = pki.Issue(node.Name, [node.Raft.Address, node.Api.Address], now, ClusterSetupCommand.NodeLifetime);
        using var key = certificate.GetECDsaPrivateKey()!;
        request.CaPem = pki.Ca.ExportCertificatePem();
        request.CertificatePem = certificate.ExportCertificatePem();
        request.KeyPem = key.ExportPkcs8PrivateKeyPem();
        var tokenFile = Path.Combine(caDirectory, "admin.token");
        if (File.Exists(tokenFile))
        {
            var token = File.ReadAllText(tokenFile).Trim();
            request.TokenHashes = $"# user:sha256(token), one per line\nadmin:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}\n";
        }

        return request;
    }

    private static async Task<int> WaitJoinedAsync(CommandContext context, ClusterClient client, string name, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = context.Time.GetUtcNow() + limit;
        string last = "not listed";
        while (context.Time.GetUtcNow() < deadline)
        {
            try
            {
                var members = await client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
                if (members.Members.FirstOrDefault(m => m.Name == name) is { } member)
                {
                    if (member is { State: "member", Voting: true })
                    {
                        context.Out.Write($"Node {name} is a member of the cluster.\n");
                        return ExitCodes.Ok;
                    }

                    last = $"{member.State}{(member.Voting ? ", voting" : ", not voting yet")}";
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                last = client.Describe(e);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.Time, cancellationToken).ConfigureAwait(false);
        }

        context.Error.Write($"error: waiting timeout: node {name} has not joined within {limit.TotalSeconds:0} s ({last}); its clusterd log says why\n");
        return ExitCodes.Failure;
    }

    /// <summary>Replaces the node list in the clusterd.json of <paramref name="targets"/>; unauthenticated ones are reported.</summary>
    private static async Task<int> UpdateNodeListsAsync(CommandContext context, KnownHosts known, IReadOnlyList<string> targets,
        IReadOnlyList<ClusterSetupCommand.SetupNode> nodes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var list = new JsonArray([.. nodes.Select(n =>
        {
            var entry = new JsonObject { ["Name"] = n.Name, ["RaftEndpoint"] = n.Raft.ToString(), ["ApiEndpoint"] = n.Api.ToString() };
            if (n.Witness)
            {
                entry["Witness"] = true;
            }

            return (JsonNode)entry;
        })]).ToJsonString();
        var code = ExitCodes.Ok;
        if (HostTargets.Unauthenticated(targets, known) is { Count: > 0 } missing)
        {
            context.Error.Write($"warning: the node list in clusterd.json was not updated on {string.Join(", ", missing)} (not authenticated; "
                                + "they know the members from the cluster, but a restart from an outdated file needs hactl host auth, then this command again)\n");
            code = ExitCodes.Failure;
        }

        var reachable = targets.Except(HostTargets.Unauthenticated(targets, known)).ToList();
        var updated = await HostTargets.RunAsync(reachable, known, timeout, async (agent, ct) =>
            (await agent.Service.UpdateNodesAsync(new HostUpdateNodesRequest { NodesJson = list }, agent.Options(ct)).ConfigureAwait(false)).Message,
            cancellationToken).ConfigureAwait(false);
        return Math.Max(code, HostTargets.Report(context, updated));
    }

    private static async Task<int> RemoveAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var yes = args.TakeFlag("--yes", "-y");
        var endpoint = ClusterEndpoint.Resolve(args, context.Host);
        var name = args.Take("node name");
        if (!args.AtEnd)
        {
            throw new UsageException($"unexpected argument '{args.Peek()}' (nodes are removed one at a time)");
        }

        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        using var client = new ClusterClient(endpoint, context.Host.User, context.Time);
        try
        {
            var members = await client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
            var current = members.Members.Where(m => m.State != "removed" || m.Voting).ToList();
            if (current.All(m => m.Name != name))
            {
                context.Error.Write($"error: node {name} is not a member of the cluster (members: {string.Join(", ", current.Select(m => m.Name))})\n");
                return ExitCodes.Failure;
            }

            if (!members.HasQuorum || members.Leader.Length == 0)
            {
                context.Error.Write("error: no quorum: the cluster has no leader (nothing was changed)\n");
                return ExitCodes.Failure;
            }

            var destroy = known.Hosts.ContainsKey(name) ? "clusterd is stopped there and its cluster configuration and data are deleted" : "clusterd there must then be stopped by hand (not authenticated to its host agent)";
            if (ClusterCommand.Confirm(context, $"Remove node {name} from the cluster (its resources move to the other nodes; {destroy})", yes) is { } refused)
            {
                return refused;
            }

            var response = await client.RemoveMemberAsync(name, ChangeLimit, cancellationToken).ConfigureAwait(false);
            context.Out.Write($"{response.Message}\n");
            var code = ExitCodes.Ok;
            if (known.Hosts.ContainsKey(name))
            {
                var destroyed = await HostTargets.RunAsync([name], known, endpoint.Timeout, async (agent, ct) =>
                    (await agent.Service.DestroyAsync(new HostServiceRequest(), agent.Options(ct)).ConfigureAwait(false)).Message, cancellationToken).ConfigureAwait(false);
                if (HostTargets.Report(context, destroyed) != ExitCodes.Ok)
                {
                    context.Error.Write($"Node {name} left the cluster, but its clusterd could not be stopped: stop it and run 'hactl cluster destroy' there "
                                        + "(it would otherwise keep asking for votes it never gets).\n");
                    code = ExitCodes.Failure;
                }
            }
            else
            {
                context.Error.Write($"warning: {HostTargets.NotAuthenticatedMessage([name], path)}; stop clusterd on {name} and run 'hactl cluster destroy' there\n");
                code = ExitCodes.Failure;
            }

            var rest = response.Members.Where(m => m.Name != name && m.State != "removed" && m.ApiEndpoint.Length > 0).ToList();
            var nodes = rest.Select(m => new ClusterSetupCommand.SetupNode(m.Name, IPEndPoint.Parse(m.RaftEndpoint), IPEndPoint.Parse(m.ApiEndpoint), m.Witness)).ToList();
            code = Math.Max(code, await UpdateNodeListsAsync(context, known, [.. rest.Select(m => m.Name)], nodes, endpoint.Timeout, cancellationToken).ConfigureAwait(false));
            if (known.Cluster is { } cluster && cluster.Nodes.Contains(name))
            {
                (known with { Cluster = cluster with { Nodes = [.. cluster.Nodes.Where(n => n != name)] } }).Save(path);
            }

            return code;
        }
        catch (RpcException e)
        {
            context.Error.Write($"error: {client.Describe(e)}\n");
            return ExitCodes.Failure;
        }
    }
}

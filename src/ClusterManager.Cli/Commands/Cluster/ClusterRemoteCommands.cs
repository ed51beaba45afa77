using ClusterManager.Api.V1;
using ClusterManager.Cli.Commands.Host;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster start|stop|enable|disable (--all | NODE...)</c> and <c>cluster destroy --all</c>: the same
/// actions on other nodes, through their host agents (pcs does them through pcsd), with the tokens of
/// <c>hactl host auth</c>. Every node is asked at once; each failure names the node.
/// </summary>
internal static class ClusterRemoteCommands
{
    /// <summary>Help text shared by the commands that reach other nodes.</summary>
    public const string RemoteHelp = """
          --all             every node of the cluster (this node's clusterd.json, else the cluster the last
                            'hactl cluster setup' from here created)
          NODE...           the named nodes
          --request-timeout SEC   per node (default 60)
        Other nodes are reached through their host agents (clusterd-host, port 2224): run 'hactl host auth' first.
        """;

    /// <summary>Runs <paramref name="verb"/> (start, stop, enable, disable) on the nodes named by --all or names.</summary>
    public static async Task<int> RunAsync(CommandContext context, string verb, bool all, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var timeout = HostTargets.Timeout(args);
        var (wait, waitText) = verb == "start" ? args.TakeFlagWithOptionalValue("--wait") : (false, null);
        var waitLimit = TimeSpan.FromSeconds(60);
        if (waitText is not null)
        {
            waitLimit = int.TryParse(waitText, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new UsageException($"--wait={waitText} is not a positive number of seconds");
        }

        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        var nodes = HostTargets.Parse(args, context.Host, known, path, all);
        if (HostTargets.Unauthenticated(nodes, known) is { Count: > 0 } missing)
        {
            context.Error.Write($"error: {HostTargets.NotAuthenticatedMessage(missing, path)}\n");
            return ExitCodes.Failure;
        }

        var outcomes = await HostTargets.RunAsync(nodes, known, timeout, async (client, ct) =>
        {
            var request = new HostServiceRequest();
            var options = client.Options(ct);
            var response = verb switch
            {
                "start" => await client.Service.StartAsync(request, options).ConfigureAwait(false),
                "stop" => await client.Service.StopAsync(request, options).ConfigureAwait(false),
                "enable" => await client.Service.EnableAsync(request, options).ConfigureAwait(false),
                "disable" => await client.Service.DisableAsync(request, options).ConfigureAwait(false),
                _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "not a cluster service verb"),
            };
            if (wait && !response.Status.Running)
            {
                response = await WaitRunningAsync(client, waitLimit, ct).ConfigureAwait(false);
            }

            return response.Message;
        }, cancellationToken).ConfigureAwait(false);
        return HostTargets.Report(context, outcomes);
    }

    /// <summary><c>cluster destroy --all</c>: stops clusterd and removes its configuration and data on every node.</summary>
    public static async Task<int> DestroyAllAsync(CommandContext context, bool yes, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var timeout = HostTargets.Timeout(args);
        args.EnsureEnd();
        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        var nodes = HostTargets.AllNodes(context.Host, known, path);
        if (HostTargets.Unauthenticated(nodes, known) is { Count: > 0 } missing)
        {
            context.Error.Write($"error: {HostTargets.NotAuthenticatedMessage(missing, path)}\n");
            return ExitCodes.Failure;
        }

        var question = $"Destroy the cluster on {string.Join(", ", nodes)} (stop clusterd, delete its configuration and data on every node)";
        if (ClusterCommand.Confirm(context, question, yes) is { } refused)
        {
            return refused;
        }

        var outcomes = await HostTargets.RunAsync(nodes, known, timeout, async (client, ct) =>
            (await client.Service.DestroyAsync(new HostServiceRequest(), client.Options(ct)).ConfigureAwait(false)).Message,
            cancellationToken).ConfigureAwait(false);
        if (outcomes.All(o => o.Succeeded) && known.Cluster is { } cluster && cluster.Nodes.Order(StringComparer.Ordinal).SequenceEqual(nodes.Order(StringComparer.Ordinal)))
        {
            (known with { Cluster = null }).Save(path);
        }

        return HostTargets.Report(context, outcomes);
    }

    private static async Task<HostServiceResponse> WaitRunningAsync(HostAgentClient client, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var status = await client.Service.StatusAsync(new HostStatusRequest(), client.Options(cancellationToken)).ConfigureAwait(false);
            if (status.Running)
            {
                return new HostServiceResponse { Message = "clusterd started and running", Status = status };
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Aborted, $"clusterd is not running after {limit.TotalSeconds:0} s"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }
}

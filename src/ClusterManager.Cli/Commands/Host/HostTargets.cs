using System.Text.Json;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Host;

/// <summary>The outcome on one node: a line to print, or the error naming the node.</summary>
internal sealed record NodeOutcome(string Node, bool Succeeded, string Message);

/// <summary>
/// Which nodes a command acts on (<c>--all</c> or node names) and running one call on each of them through their host
/// agents, in parallel, each failure described with the node's name.
/// </summary>
internal static class HostTargets
{
    /// <summary>Default per-request timeout (pcs: 60 s for node-to-node requests).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The nodes of <c>--all</c>: the members in this node's clusterd.json, else the cluster the last
    /// <c>hactl cluster setup</c> from here created (recorded in the known-hosts file).
    /// </summary>
    /// <exception cref="UsageException">Neither is there.</exception>
    public static IReadOnlyList<string> AllNodes(HactlHost host, KnownHosts known, string knownHostsPath)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(known);
        if (LocalMembers(host.ClusterdConfigFile) is { Count: > 0 } members)
        {
            return members;
        }

        if (known.Cluster is { Nodes.Count: > 0 } cluster)
        {
            return cluster.Nodes;
        }

        throw new UsageException($"--all: no cluster known here ({host.ClusterdConfigFile} does not exist and no 'hactl cluster setup' "
                                 + $"was run from here, see {knownHostsPath}); name the nodes instead");
    }

    /// <summary>Resolves <c>--all</c> or the remaining node names of <paramref name="args"/>; empty when neither is given.</summary>
    /// <exception cref="UsageException">Both are given, or a name is given twice.</exception>
    public static IReadOnlyList<string> Parse(ArgumentCursor args, HactlHost host, KnownHosts known, string knownHostsPath, bool all)
    {
        ArgumentNullException.ThrowIfNull(args);
        var names = new List<string>();
        while (!args.AtEnd)
        {
            var name = args.Take("node name");
            if (name.StartsWith('-'))
            {
                throw new UsageException($"unknown option '{name}'");
            }

            if (names.Contains(name))
            {
                throw new UsageException($"node {name} is given more than once");
            }

            names.Add(name);
        }

        if (all && names.Count > 0)
        {
            throw new UsageException("give --all or node names, not both");
        }

        return all ? AllNodes(host, known, knownHostsPath) : names;
    }

    /// <summary>The names of <paramref name="nodes"/> that are not in the known-hosts file (no token for them).</summary>
    public static IReadOnlyList<string> Unauthenticated(IEnumerable<string> nodes, KnownHosts known) =>
        [.. nodes.Where(n => !known.Hosts.ContainsKey(n))];

    /// <summary>The error for nodes hactl has no token for.</summary>
    public static string NotAuthenticatedMessage(IReadOnlyList<string> nodes, string knownHostsPath) =>
        $"not authenticated to {string.Join(", ", nodes)} (no token in {knownHostsPath}); run: hactl host auth {string.Join(' ', nodes.Select(n => n + " addr=IP"))} -u hacluster";

    /// <summary>Runs <paramref name="call"/> on every node at once; RPC failures become outcomes naming the node.</summary>
    public static async Task<IReadOnlyList<NodeOutcome>> RunAsync(
        IReadOnlyList<string> nodes,
        KnownHosts known,
        TimeSpan timeout,
        Func<HostAgentClient, CancellationToken, Task<string>> call,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(call);
        var tasks = nodes.Select(async node =>
        {
            using var client = HostAgentClient.For(node, known.Hosts[node], timeout);
            try
            {
                return new NodeOutcome(node, true, await call(client, cancellationToken).ConfigureAwait(false));
            }
            catch (RpcException e)
            {
                return new NodeOutcome(node, false, client.Describe(e));
            }
        });
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Prints each outcome (errors to stderr as "error: NODE: ..."); the exit code.</summary>
    public static int Report(CommandContext context, IReadOnlyList<NodeOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            if (outcome.Succeeded)
            {
                context.Out.Write($"{outcome.Node}: {outcome.Message}\n");
            }
            else
            {
                context.Error.Write($"error: {outcome.Message}\n");
            }
        }

        return outcomes.All(o => o.Succeeded) ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>Parses <c>--request-timeout SEC</c> (default <see cref="DefaultTimeout"/>).</summary>
    public static TimeSpan Timeout(ArgumentCursor args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var text = args.TakeOption("--request-timeout");
        if (text is null)
        {
            return DefaultTimeout;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--request-timeout '{text}' is not a positive number of seconds");
    }

    private static List<string>? LocalMembers(string configFile)
    {
        try
        {
            if (!File.Exists(configFile))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(configFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var section = document.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals("Clusterd", StringComparison.OrdinalIgnoreCase)).Value;
            if (section.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var nodes = section.EnumerateObject().FirstOrDefault(p => p.Name.Equals("Nodes", StringComparison.OrdinalIgnoreCase)).Value;
            return nodes.ValueKind != JsonValueKind.Array
                ? null
                : [.. nodes.EnumerateArray()
                    .Select(n => n.ValueKind == JsonValueKind.Object
                        ? n.EnumerateObject().FirstOrDefault(p => p.Name.Equals("Name", StringComparison.OrdinalIgnoreCase)).Value
                        : default)
                    .Where(v => v.ValueKind == JsonValueKind.String)
                    .Select(v => v.GetString()!)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

using System.Collections.Immutable;
using ClusterManager.Agents;
using ClusterManager.Agents.IpAddr;
using ClusterManager.Agents.Ocf;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Commands;
using ClusterManager.Fencing.Agents;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// What an agent installed on this machine says about itself (its meta-data): parameter names, required ones,
/// action timeouts and the monitor interval. pcs reads the same to validate options and to add default operations.
/// </summary>
internal sealed record AgentInfo(
    ImmutableArray<string> Parameters,
    ImmutableArray<string> Required,
    ImmutableDictionary<string, TimeSpan> Timeouts,
    TimeSpan? MonitorInterval);

/// <summary>
/// Finds agents on this machine: resolves a bare type (<c>IPaddr2</c>) to a full name as pcs does, and reads
/// meta-data of OCF agents (through <see cref="ResourceAgentRouter"/>, so the native agents count) and of fence
/// agents (through <see cref="ProcessFenceAgentRunner"/>). Agent directories come from clusterd's configuration
/// when it names them.
/// </summary>
internal sealed class AgentLookup
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);
    private readonly OcfOptions _ocf;
    private readonly ResourceAgentRouter _router;
    private readonly ProcessFenceAgentRunner _fence;

    public AgentLookup(string ocfRoot, IReadOnlyList<string> fenceDirectories, TimeProvider time)
    {
        _ocf = new OcfOptions { OcfRoot = ocfRoot };
        var native = new Dictionary<string, IResourceAgent>(StringComparer.Ordinal)
        {
            ["IPaddr2"] = new NativeIpAddr2Agent(time, NullLogger<NativeIpAddr2Agent>.Instance),
            ["vrrp"] = new ClusterManager.Agents.Vrrp.VrrpAgent(new(), time, NullLogger<ClusterManager.Agents.Vrrp.VrrpAgent>.Instance),
        };
        _router = new ResourceAgentRouter(new OcfScriptAgent(_ocf, time), null, native, time);
        _fence = new ProcessFenceAgentRunner(
            new FenceAgentRunnerOptions { AgentDirectories = [.. fenceDirectories] }, time, NullLogger<ProcessFenceAgentRunner>.Instance);
    }

    /// <summary>This node's agents: the directories of clusterd's configuration, else the standard ones.</summary>
    public static AgentLookup For(HactlHost host, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(host);
        var config = ClusterdConfig.TryLoad(host.ClusterdConfigFile);
        var ocfRoot = host.GetVariable("OCF_ROOT") is { Length: > 0 } fromEnvironment ? fromEnvironment : config?.OcfRoot ?? "/usr/lib/ocf";
        var fence = config?.FenceAgentDirectories is { Count: > 0 } dirs ? dirs : ["/usr/sbin", "/usr/lib/clustermanager/fencing-agents"];
        return new AgentLookup(ocfRoot, fence, time);
    }

    /// <summary>
    /// The full name for <paramref name="text"/>: parsed when it has a standard, otherwise looked up among the
    /// installed OCF agents (stonith: the fence agents). Returns a note to print when a bare type was resolved.
    /// </summary>
    /// <exception cref="UsageException">No agent or several agents match a bare type; the name is malformed.</exception>
    public (AgentName Name, string? Note) Resolve(string text, bool stonith)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (stonith)
        {
            if (text.StartsWith("stonith:", StringComparison.Ordinal))
            {
                return (AgentName.ParseFull(text)!, null);
            }

            if (text.Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"'{text}' is not a stonith agent: give the fence agent's name (e.g. fence_virsh) or stonith:NAME");
            }

            return (new AgentName("stonith", null, text), null);
        }

        if (AgentName.ParseFull(text) is { } full)
        {
            if (full.Class == "stonith")
            {
                throw new UsageException($"'{text}' is a fence agent: use 'hactl stonith create'");
            }

            return (full, null);
        }

        var matches = OcfProviders().Where(p => File.Exists(Path.Combine(_ocf.OcfRoot, "resource.d", p, text)))
            .Select(p => new AgentName("ocf", p, text)).ToList();
        return matches.Count switch
        {
            1 => (matches[0], $"Assumed agent name '{matches[0]}' (deduced from '{text}')"),
            0 => throw new UsageException($"unable to find agent '{text}', try specifying its full name (e.g. ocf:heartbeat:{text} or systemd:{text})"),
            _ => throw new UsageException($"multiple agents match '{text}', please specify full name: {string.Join(" or ", matches.Select(m => $"'{m}'"))}"),
        };
    }

    /// <summary>The agent's meta-data, or null when it cannot be read here (not installed, not OCF/stonith, broken).</summary>
    public async Task<AgentInfo?> DescribeAsync(AgentName agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        try
        {
            switch (agent.Class)
            {
                case "ocf":
                {
                    var metadata = await _router.GetMetadataAsync(new ResourceAgentName("ocf", agent.Provider, agent.Type), cancellationToken).ConfigureAwait(false);
                    return metadata is null ? null : new AgentInfo(
                        [.. metadata.Parameters.Select(p => p.Name)],
                        [.. metadata.Parameters.Where(p => p.Required).Select(p => p.Name)],
                        metadata.Actions.Where(a => a.Timeout is not null)
                            .GroupBy(a => a.Name).ToImmutableDictionary(g => g.Key, g => g.First().Timeout!.Value),
                        metadata.Actions.FirstOrDefault(a => a.Name == "monitor" && a.Interval is not null)?.Interval);
                }

                case "stonith":
                {
                    if (_fence.Resolve(agent.Type) is null)
                    {
                        return null;
                    }

                    var run = await _fence.RunAsync(
                        new FenceAgentInvocation(agent.Type, "metadata", [new("action", "metadata")], MetadataTimeout), cancellationToken).ConfigureAwait(false);
                    if (!run.Succeeded || run.Stdout.Length == 0)
                    {
                        return null;
                    }

                    var metadata = FenceAgentMetadata.Parse(run.Stdout);
                    return new AgentInfo(
                        [.. metadata.Parameters.Select(p => p.Name)],
                        [.. metadata.Parameters.Where(p => p.Required && !p.Deprecated).Select(p => p.Name)],
                        ImmutableDictionary<string, TimeSpan>.Empty,
                        null);
                }

                default:
                    return null;
            }
        }
        catch (FormatException)
        {
            // Meta-data that does not parse: treated as unavailable (no validation), as pcs does with --force.
            return null;
        }
    }

    private IEnumerable<string> OcfProviders()
    {
        var root = Path.Combine(_ocf.OcfRoot, "resource.d");
        return Directory.Exists(root)
            ? Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];
    }
}

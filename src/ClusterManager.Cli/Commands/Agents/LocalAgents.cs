using System.Collections.Frozen;
using System.Collections.Immutable;
using ClusterManager.Agents;
using ClusterManager.Agents.Execution;
using ClusterManager.Agents.IpAddr;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Systemd;
using ClusterManager.Fencing.Agents;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// The agents installed on this node, as the Agents and Fencing libraries see them: the router that runs resource
/// agents (OCF scripts, the native agents, systemd units), the OCF catalog, and the fence agent runner.
/// </summary>
internal sealed class LocalAgents : IAsyncDisposable
{
    /// <summary>The standard (class) of fence agents.</summary>
    public const string StonithClass = "stonith";

    /// <summary>How long an agent may take to print its meta-data (scripts take milliseconds, Python fence agents ~0.1 s).</summary>
    public static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The instance name meta-data runs with: the placeholder resource-agents' shell library uses itself, so defaults
    /// derived from it read <c>/run/resource-agents/Dummy-RESOURCE_ID.state</c>.
    /// </summary>
    public const string MetadataInstance = "RESOURCE_ID";

    // Executables named fence_* that are not fence agents (pcs's list, pcs/lib/resource_agent/list.py).
    private static readonly FrozenSet<string> IgnoredFenceAgents = new[]
    {
        "fence_ack_manual", "fence_check", "fence_kdump_send", "fence_legacy", "fence_na", "fence_node",
        "fence_nss_wrapper", "fence_pcmk", "fence_sanlockd", "fence_tool", "fence_virtd", "fence_vmware_helper",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly SystemdAgent? _systemd;
    private readonly Dictionary<string, IResourceAgent> _native;

    public LocalAgents(LocalAgentSettings settings, TimeProvider time)
    {
        Settings = settings;
        Ocf = new OcfScriptAgent(settings.Ocf, time);
        _native = new(StringComparer.Ordinal)
        {
            ["IPaddr2"] = new NativeIpAddr2Agent(time, NullLogger<NativeIpAddr2Agent>.Instance),
            ["vrrp"] = new ClusterManager.Agents.Vrrp.VrrpAgent(new(), time, NullLogger<ClusterManager.Agents.Vrrp.VrrpAgent>.Instance),
        };
        _systemd = settings.SystemdRunning ? new SystemdAgent(settings.Systemd, time) : null;
        Router = new ResourceAgentRouter(Ocf, _systemd, _native, time);
        Catalog = new OcfAgentCatalog(settings.Ocf,
            new Dictionary<string, IReadOnlyList<string>> { [ResourceAgentRouter.NativeProvider] = [.. _native.Keys] });
        FenceRunner = new ProcessFenceAgentRunner(
            new FenceAgentRunnerOptions { AgentDirectories = [.. settings.FenceAgentDirectories] }, time,
            NullLogger<ProcessFenceAgentRunner>.Instance);
    }

    public LocalAgentSettings Settings { get; }

    public OcfScriptAgent Ocf { get; }

    public ResourceAgentRouter Router { get; }

    public OcfAgentCatalog Catalog { get; }

    public ProcessFenceAgentRunner FenceRunner { get; }

    /// <summary>Whether the systemd class is available (systemd runs as init).</summary>
    public bool HasSystemd => _systemd is not null;

    /// <summary>The standards available here, sorted as pcs sorts them (case-insensitively).</summary>
    public ImmutableArray<string> Standards()
    {
        var standards = new List<string> { ResourceAgentName.OcfClass };
        if (HasSystemd)
        {
            standards.Add(ResourceAgentName.SystemdClass);
        }

        if (FenceAgents().Count > 0)
        {
            standards.Add(StonithClass);
        }

        return [.. standards.Order(CaseInsensitiveFirst)];
    }

    /// <summary>The OCF providers, sorted case-insensitively.</summary>
    public ImmutableArray<string> Providers() => [.. Catalog.Providers().Order(CaseInsensitiveFirst)];

    /// <summary>
    /// The resource agents of <paramref name="standard"/> (and <paramref name="provider"/> for ocf), in no
    /// particular order; null when the standard is not available here.
    /// </summary>
    public IReadOnlyList<ResourceAgentName>? ResourceAgents(string standard, string? provider = null)
    {
        switch (standard)
        {
            case ResourceAgentName.OcfClass:
                var providers = provider is null ? Catalog.Providers() : [provider];
                return [.. providers.SelectMany(p => Catalog.Agents(p).Select(t => new ResourceAgentName(ResourceAgentName.OcfClass, p, t)))];
            case ResourceAgentName.SystemdClass when HasSystemd && provider is null:
                return [.. SystemdServices().Select(u => new ResourceAgentName(ResourceAgentName.SystemdClass, null, u))];
            default:
                return null;
        }
    }

    /// <summary>Every resource agent (ocf and, when it runs, systemd), sorted by full name ordinally as pcs does.</summary>
    public IReadOnlyList<ResourceAgentName> AllResourceAgents() =>
    [
        .. (ResourceAgents(ResourceAgentName.OcfClass) ?? []).Concat(ResourceAgents(ResourceAgentName.SystemdClass) ?? [])
            .OrderBy(a => a.ToString(), StringComparer.Ordinal),
    ];

    /// <summary>The fence agents installed (executable <c>fence_*</c> in the agent directories, minus helpers that are not agents).</summary>
    public IReadOnlyList<string> FenceAgents() => [.. FenceRunner.ListAgents().Where(a => !IgnoredFenceAgents.Contains(a))];

    /// <summary>
    /// True when <paramref name="agent"/> runs in this process (a native agent, also standing in for a missing
    /// heartbeat script of the same type), as the router decides.
    /// </summary>
    public bool IsNative(ResourceAgentName agent) =>
        agent.Class == ResourceAgentName.OcfClass && _native.ContainsKey(agent.Type)
        && (agent.Provider == ResourceAgentRouter.NativeProvider
            || (agent.Provider == ResourceAgentRouter.HeartbeatProvider && !Ocf.IsInstalled(agent)));

    /// <summary>Runs the agent's meta-data action; the parsed meta-data, or why there is none.</summary>
    public async Task<(AgentMetadata? Metadata, string? Problem)> GetMetadataAsync(ResourceAgentName agent, CancellationToken cancellationToken)
    {
        var request = AgentRequest.Create(MetadataInstance, agent.ToString(), AgentActions.MetaData, MetadataTimeout);
        var result = await Router.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess || result.Output.Length == 0)
        {
            return (null, result.ExitReason ?? $"meta-data returned {(int)result.Rc} ({ResultClassifier.Describe(result.Rc)})");
        }

        try
        {
            return (AgentMetadata.Parse(result.Output), null);
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Runs the fence agent's metadata action; the parsed metadata, or why there is none.</summary>
    public async Task<(FenceAgentMetadata? Metadata, string? Problem)> GetFenceMetadataAsync(string agent, CancellationToken cancellationToken)
    {
        if (FenceRunner.Resolve(agent) is null)
        {
            return (null, $"no executable fence agent '{agent}' in {string.Join(", ", Settings.FenceAgentDirectories)}");
        }

        var run = await FenceRunner.RunAsync(
            new FenceAgentInvocation(agent, Fencing.AgentActions.Metadata, [new("action", Fencing.AgentActions.Metadata)], MetadataTimeout),
            cancellationToken).ConfigureAwait(false);
        if (!run.Succeeded)
        {
            return (null, run.Describe());
        }

        try
        {
            return (FenceAgentMetadata.Parse(run.Stdout), null);
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_systemd is not null)
        {
            await _systemd.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Orders case-insensitively, ties ordinally (pcs's <c>sorted(..., key=str.lower)</c>, made total).</summary>
    public static IComparer<string> CaseInsensitiveFirst { get; } = Comparer<string>.Create((a, b) =>
    {
        var byLower = StringComparer.OrdinalIgnoreCase.Compare(a, b);
        return byLower != 0 ? byLower : StringComparer.Ordinal.Compare(a, b);
    });

    // Service units as Pacemaker lists them for the systemd class: the unit files' names without ".service";
    // templates (name@.service) are not agents.
    private IEnumerable<string> SystemdServices() => Settings.SystemdUnitDirectories
        .Where(Directory.Exists)
        .SelectMany(d => Directory.EnumerateFileSystemEntries(d, "*.service"))
        .Select(Path.GetFileName)
        .OfType<string>()
        .Where(f => !f.Contains('@', StringComparison.Ordinal))
        .Select(f => f[..^".service".Length])
        .Distinct(StringComparer.Ordinal);
}

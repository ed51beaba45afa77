using System.Collections.Concurrent;
using System.Collections.Immutable;
using ClusterManager.Fencing.Agents;
using ClusterManager.Model;

namespace ClusterManager.Fencing;

public sealed partial class Fencer
{
    private readonly ConcurrentDictionary<string, FenceAgentMetadata?> _metadata = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ResourceId, (DateTimeOffset At, ImmutableArray<string>? Targets)> _listCache = new();

    /// <summary>
    /// Whether each device can fence <paramref name="target"/> without running any agent: static-list and none
    /// devices answer yes or no; dynamic-list and status devices (or devices whose agent's metadata is not known
    /// yet) answer null, meaning "ask the agent" (<see cref="QueryDevicesAsync(NodeName, CancellationToken)"/>).
    /// For <c>hactl status</c>: a node for which every answer is false has no fencing.
    /// </summary>
    public static bool? CanFenceStatically(FenceDevice device, NodeName target)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.ConfiguredHostCheck switch
        {
            HostCheck.None => true,
            HostCheck.StaticList or null when !device.HostList.IsEmpty || !device.HostMap.IsEmpty => InStaticList(device, target),
            HostCheck.StaticList => false,
            _ => null,
        };
    }

    /// <summary>
    /// The nodes of <paramref name="nodes"/> that nothing can fence: no topology level names them and no device
    /// answers that it can fence them (agents are asked for dynamic-list and status devices). For the warning in
    /// <c>hactl status</c> and at <c>property set stonith-enabled=true</c>.
    /// </summary>
    public async Task<ImmutableArray<NodeName>> FindUnfenceableNodesAsync(IEnumerable<NodeName> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var configuration = _configuration;
        var result = ImmutableArray.CreateBuilder<NodeName>();
        foreach (var node in nodes)
        {
            if (!FenceTopology.LevelsFor(node, configuration).IsEmpty)
            {
                continue;
            }

            var capabilities = await QueryDevicesAsync(node, configuration, cancellationToken).ConfigureAwait(false);
            if (!capabilities.Any(c => c.CanFence))
            {
                result.Add(node);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>The agent's metadata (run once per agent and cached), or null when the agent could not give it.</summary>
    public async Task<FenceAgentMetadata?> GetMetadataAsync(string agent, CancellationToken cancellationToken)
    {
        if (_metadata.TryGetValue(agent, out var cached))
        {
            return cached;
        }

        var run = await _runner.RunAsync(
            new FenceAgentInvocation(agent, AgentActions.Metadata, [new("action", AgentActions.Metadata)], _options.MetadataTimeout),
            cancellationToken).ConfigureAwait(false);
        FenceAgentMetadata? metadata = null;
        if (run.Succeeded)
        {
            try
            {
                metadata = FenceAgentMetadata.Parse(run.Stdout);
            }
            catch (FormatException e)
            {
                LogMetadataFailed(_logger, agent, e.Message);
            }
        }
        else
        {
            LogMetadataFailed(_logger, agent, run.Describe());
        }

        // Only a good answer is cached: a missing agent may be installed later.
        if (metadata is not null)
        {
            _metadata[agent] = metadata;
        }

        return metadata;
    }

    /// <summary>Runs the agent's <c>validate-all</c> with the device's parameters (no device access).</summary>
    public Task<AgentRunResult> ValidateAsync(FenceDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        return _runner.RunAsync(
            new FenceAgentInvocation(device.Agent, AgentActions.ValidateAll,
                FenceAgentArguments.Build(device, AgentActions.ValidateAll, null), _options.MetadataTimeout),
            cancellationToken);
    }

    /// <summary>Runs the agent's <c>monitor</c> (is the device reachable). Exit 0 is healthy.</summary>
    public Task<AgentRunResult> MonitorAsync(FenceDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var action = device.AgentActionFor(AgentActions.Monitor);
        return _runner.RunAsync(
            new FenceAgentInvocation(device.Agent, action, FenceAgentArguments.Build(device, action, null),
                device.TimeoutFor(AgentActions.Monitor, _configuration.DefaultTimeout)),
            cancellationToken);
    }

    private async Task<ImmutableArray<DeviceCapability>> QueryDevicesAsync(
        NodeName target, FencingConfiguration configuration, CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<DeviceCapability>();
        foreach (var device in configuration.Devices)
        {
            result.Add(await QueryDeviceAsync(device, target, configuration, cancellationToken).ConfigureAwait(false));
        }

        return result.ToImmutable();
    }

    private async Task<DeviceCapability> QueryDeviceAsync(
        FenceDevice device, NodeName target, FencingConfiguration configuration, CancellationToken cancellationToken)
    {
        DeviceCapability Answer(HostCheck check, bool can, string reason) => new(device.Id, device.Agent, check, can, reason);

        var check = device.ConfiguredHostCheck;
        if (check is null && device.HostList.IsEmpty && device.HostMap.IsEmpty)
        {
            var metadata = await GetMetadataAsync(device.Agent, cancellationToken).ConfigureAwait(false);
            if (metadata is null)
            {
                return Answer(HostCheck.None, false, $"agent {device.Agent} gave no metadata");
            }

            check = device.EffectiveHostCheck(metadata.HasAction(AgentActions.List), metadata.HasAction(AgentActions.Status));
        }

        switch (check ?? HostCheck.StaticList)
        {
            case HostCheck.None:
                return Answer(HostCheck.None, true, "pcmk_host_check=none");
            case HostCheck.StaticList:
                return InStaticList(device, target)
                    ? Answer(HostCheck.StaticList, true, "in pcmk_host_list/pcmk_host_map")
                    : Answer(HostCheck.StaticList, false, "not in pcmk_host_list/pcmk_host_map");
            case HostCheck.DynamicList:
                var targets = await ListAsync(device, configuration, cancellationToken).ConfigureAwait(false);
                if (targets is { } list)
                {
                    var port = device.PortFor(target);
                    var found = list.Contains(port, StringComparer.OrdinalIgnoreCase) ||
                        list.Contains(target.Value, StringComparer.OrdinalIgnoreCase);
                    return Answer(HostCheck.DynamicList, found, found ? "in the agent's list" : "not in the agent's list");
                }

                if (device.ConfiguredHostCheck is not null)
                {
                    return Answer(HostCheck.DynamicList, false, "the agent's list action failed");
                }

                // Pacemaker: list never worked and no check was configured, so fall back to status.
                goto case HostCheck.Status;
            case HostCheck.Status:
                var action = device.AgentActionFor(AgentActions.Status);
                var run = await _runner.RunAsync(
                    new FenceAgentInvocation(device.Agent, action, FenceAgentArguments.Build(device, action, target),
                        device.TimeoutFor(AgentActions.Status, configuration.DefaultTimeout)),
                    cancellationToken).ConfigureAwait(false);
                var can = run.Outcome == AgentRunOutcome.Exited && run.ExitCode is 0 or 2;
                return Answer(HostCheck.Status, can, can ? $"status exit {run.ExitCode}" : run.Describe());
            default:
                throw new InvalidOperationException($"unknown host check {check}");
        }
    }

    private async Task<ImmutableArray<string>?> ListAsync(FenceDevice device, FencingConfiguration configuration, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_listCache.TryGetValue(device.Id, out var cached) && now - cached.At < _options.DynamicListCacheTime)
        {
            return cached.Targets;
        }

        var action = device.AgentActionFor(AgentActions.List);
        var run = await _runner.RunAsync(
            new FenceAgentInvocation(device.Agent, action, FenceAgentArguments.Build(device, action, null),
                device.TimeoutFor(AgentActions.List, configuration.DefaultTimeout)),
            cancellationToken).ConfigureAwait(false);
        ImmutableArray<string>? targets = run.Succeeded ? HostParsing.ParseListOutput(run.Stdout) : null;
        if (targets is null)
        {
            LogListFailed(_logger, device.Id.Value, run.Describe());
        }

        _listCache[device.Id] = (now, targets);
        return targets;
    }

    private static bool InStaticList(FenceDevice device, NodeName target) =>
        device.HostList.Contains(target.Value, StringComparer.OrdinalIgnoreCase) || device.HostMap.ContainsKey(target.Value);
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Fencing;

/// <summary>How a device decides which nodes it can fence (<c>pcmk_host_check</c>).</summary>
public enum HostCheck
{
    /// <summary>The node is in <c>pcmk_host_list</c> or is a key of <c>pcmk_host_map</c>.</summary>
    StaticList,

    /// <summary>The node is in the output of the agent's <c>list</c> action (cached for 60 s).</summary>
    DynamicList,

    /// <summary>The agent's <c>status</c> for the node exits 0 (on) or 2 (off).</summary>
    Status,

    /// <summary>The device can fence every node.</summary>
    None,
}

/// <summary>Per-action overrides of a device: <c>pcmk_&lt;action&gt;_action</c>, <c>_timeout</c>, <c>_retries</c>.</summary>
public sealed record DeviceActionSettings(string? AgentAction, TimeSpan? Timeout, int? Retries);

/// <summary>
/// A fence device: a cluster resource of class <c>stonith</c> whose type is a <c>fence_*</c> agent. The
/// <c>pcmk_*</c> parameters are interpreted here; every other instance attribute goes to the agent
/// (<see cref="Parameters"/>).
/// </summary>
public sealed partial record FenceDevice(
    ResourceId Id,
    string Agent,
    ImmutableSortedDictionary<string, string> Parameters,
    ImmutableArray<string> HostList,
    ImmutableDictionary<string, string> HostMap,
    HostCheck? ConfiguredHostCheck,
    string? HostArgument,
    TimeSpan DelayBase,
    ImmutableDictionary<string, TimeSpan> DelayBaseByTarget,
    TimeSpan DelayMax,
    ImmutableDictionary<string, DeviceActionSettings> ActionSettings,
    int Priority)
{
    /// <summary>Pacemaker's default number of attempts per action (<c>pcmk_&lt;action&gt;_retries</c>).</summary>
    public const int DefaultRetries = 2;

    private static readonly string[] PerActionNames =
        ["reboot", "off", "on", "status", "monitor", "list"];

    /// <summary>
    /// The device's host check when none is configured: static-list if a host list or map is given, else
    /// dynamic-list if the agent has <c>list</c>, else status if it has <c>status</c>, else none.
    /// </summary>
    public HostCheck EffectiveHostCheck(bool agentHasList, bool agentHasStatus) =>
        ConfiguredHostCheck ?? (!HostList.IsEmpty || !HostMap.IsEmpty ? HostCheck.StaticList
            : agentHasList ? HostCheck.DynamicList
            : agentHasStatus ? HostCheck.Status
            : HostCheck.None);

    /// <summary>The name the agent knows the target by: its <c>pcmk_host_map</c> entry, else the node name.</summary>
    public string PortFor(NodeName target) =>
        HostMap.TryGetValue(target.Value, out var port) ? port : target.Value;

    /// <summary>The action the agent runs for <paramref name="action"/> (<c>pcmk_&lt;action&gt;_action</c>).</summary>
    public string AgentActionFor(string action) =>
        ActionSettings.TryGetValue(action, out var s) && s.AgentAction is { } alias ? alias : action;

    /// <summary>Timeout of <paramref name="action"/>: <c>pcmk_&lt;action&gt;_timeout</c>, else the cluster's.</summary>
    public TimeSpan TimeoutFor(string action, TimeSpan clusterDefault) =>
        ActionSettings.TryGetValue(action, out var s) && s.Timeout is { } t ? t : clusterDefault;

    /// <summary>Attempts for <paramref name="action"/> (<c>pcmk_&lt;action&gt;_retries</c>, default 2, at least 1).</summary>
    public int AttemptsFor(string action) =>
        Math.Max(1, ActionSettings.TryGetValue(action, out var s) && s.Retries is { } r ? r : DefaultRetries);

    /// <summary>The static delay before an off or reboot of <paramref name="target"/>.</summary>
    public TimeSpan DelayBaseFor(NodeName target) =>
        DelayBaseByTarget.TryGetValue(target.Value, out var d) ? d : DelayBase;

    /// <summary>
    /// Builds a device from a <c>stonith</c> primitive. Instance attribute sets are read in descending score
    /// order, first value of a name wins; sets with a rule are skipped (the fencer has no rule context).
    /// Throws <see cref="FormatException"/> naming the device and the parameter on bad input.
    /// </summary>
    public static FenceDevice FromPrimitive(PrimitiveConfig primitive)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        if (!primitive.IsFencingDevice)
        {
            throw new FormatException($"resource '{primitive.Id}' is {primitive.Agent}, not a stonith device");
        }

        if (!AgentNamePattern().IsMatch(primitive.Type))
        {
            throw new FormatException(
                $"stonith device '{primitive.Id}': agent '{primitive.Type}' is not a fence agent name (fence_[A-Za-z0-9_]+)");
        }

        var attributes = Flatten(primitive.InstanceAttributes);
        try
        {
            return Build(primitive.Id, primitive.Type, attributes, Flatten(primitive.Meta));
        }
        catch (FormatException e)
        {
            throw new FormatException($"stonith device '{primitive.Id}': {e.Message}", e);
        }
    }

    /// <summary>Builds a device from an agent name and its parameters (pcmk_* included), as a CLI would.</summary>
    public static FenceDevice Create(ResourceId id, string agent, IReadOnlyDictionary<string, string> parameters)
    {
        var primitive = new PrimitiveConfig(
            id, "stonith", null, agent,
            [new NvSet($"{id}-instance_attributes", 0, null,
                [.. parameters.Select(p => new NvPair($"{id}-{p.Key}", p.Key, p.Value))])],
            [], [], []);
        return FromPrimitive(primitive);
    }

    private static FenceDevice Build(
        ResourceId id, string agent, IReadOnlyDictionary<string, string> attributes, IReadOnlyDictionary<string, string> meta)
    {
        var parameters = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            if (name.StartsWith("pcmk_", StringComparison.Ordinal) || name.StartsWith("CRM_meta_", StringComparison.Ordinal) ||
                name is "action" or "crm_feature_set")
            {
                continue;
            }

            if (name.Length == 0 || name.Any(c => c is '=' || char.IsWhiteSpace(c)))
            {
                throw new FormatException($"parameter name '{name}' is empty or contains '=' or whitespace");
            }

            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new FormatException($"the value of '{name}' contains a newline (agents read one key=value per line)");
            }

            parameters[name] = value;
        }

        string? Get(string name) => attributes.TryGetValue(name, out var v) ? v : null;

        var hostCheck = Get("pcmk_host_check") switch
        {
            null => (HostCheck?)null,
            "static-list" => HostCheck.StaticList,
            "dynamic-list" => HostCheck.DynamicList,
            "status" => HostCheck.Status,
            "none" => HostCheck.None,
            var other => throw new FormatException(
                $"pcmk_host_check '{other}' is not one of static-list, dynamic-list, status, none"),
        };

        var actions = ImmutableDictionary.CreateBuilder<string, DeviceActionSettings>(StringComparer.Ordinal);
        foreach (var action in PerActionNames)
        {
            var alias = Get($"pcmk_{action}_action");
            var timeoutText = Get($"pcmk_{action}_timeout");
            var retriesText = Get($"pcmk_{action}_retries");
            if (alias is null && timeoutText is null && retriesText is null)
            {
                continue;
            }

            TimeSpan? timeout = timeoutText is null ? null : HostParsing.ParseDuration($"pcmk_{action}_timeout", timeoutText);
            if (timeout <= TimeSpan.Zero)
            {
                throw new FormatException($"pcmk_{action}_timeout '{timeoutText}' must be longer than zero");
            }

            int? retries = null;
            if (retriesText is not null)
            {
                retries = int.TryParse(retriesText, NumberStyles.None, CultureInfo.InvariantCulture, out var r)
                    ? r
                    : throw new FormatException($"pcmk_{action}_retries '{retriesText}' is not a non-negative integer");
            }

            if (alias is not null && (alias.Length == 0 || alias.Any(c => char.IsWhiteSpace(c) || c == '=')))
            {
                throw new FormatException($"pcmk_{action}_action '{alias}' is not an action name");
            }

            actions[action] = new DeviceActionSettings(alias, timeout, retries);
        }

        var (delayBase, delayByTarget) = HostParsing.ParseDelayBase(Get("pcmk_delay_base"));
        var delayMax = Get("pcmk_delay_max") is { } max ? HostParsing.ParseDuration("pcmk_delay_max", max) : TimeSpan.Zero;
        var hostArgument = Get("pcmk_host_argument");
        if (hostArgument is not null && (hostArgument.Length == 0 || hostArgument.Any(c => char.IsWhiteSpace(c) || c == '=')))
        {
            throw new FormatException($"pcmk_host_argument '{hostArgument}' is not a parameter name");
        }

        var priority = 0;
        if (meta.TryGetValue("priority", out var priorityText) &&
            !int.TryParse(priorityText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
        {
            throw new FormatException($"meta priority '{priorityText}' is not an integer");
        }

        return new FenceDevice(
            id, agent, parameters.ToImmutable(),
            HostParsing.ParseList(Get("pcmk_host_list")),
            HostParsing.ParseMap(Get("pcmk_host_map")),
            hostCheck, hostArgument, delayBase, delayByTarget, delayMax, actions.ToImmutable(), priority);
    }

    private static Dictionary<string, string> Flatten(ImmutableArray<NvSet> sets)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in sets.Where(s => s.Rule is null).OrderByDescending(s => s.Score))
        {
            foreach (var pair in set.Pairs)
            {
                if (pair.Value is not null)
                {
                    result.TryAdd(pair.Name, pair.Value);
                }
            }
        }

        return result;
    }

    [GeneratedRegex("^fence_[A-Za-z0-9_]+$")]
    private static partial Regex AgentNamePattern();
}

using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Fencing;

/// <summary>
/// What the fencer works from: the fence devices, the fencing topology, node attributes (for
/// <c>target-attribute</c> levels) and the cluster's fencing options.
/// </summary>
public sealed record FencingConfiguration(
    ImmutableArray<FenceDevice> Devices,
    ImmutableArray<FencingLevel> Levels,
    ImmutableDictionary<NodeName, ImmutableDictionary<string, string>> NodeAttributes,
    TimeSpan DefaultTimeout,
    FenceAction DefaultAction,
    bool Enabled)
{
    /// <summary>Pacemaker's <c>stonith-timeout</c> default.</summary>
    public static readonly TimeSpan PacemakerDefaultTimeout = TimeSpan.FromSeconds(60);

    public static readonly FencingConfiguration Empty =
        new([], [], ImmutableDictionary<NodeName, ImmutableDictionary<string, string>>.Empty, PacemakerDefaultTimeout, FenceAction.Reboot, true);

    public FenceDevice? Device(ResourceId id) => Devices.FirstOrDefault(d => d.Id == id);

    /// <summary>
    /// Reads devices (every <c>stonith</c> primitive), topology and the options <c>stonith-enabled</c>,
    /// <c>stonith-action</c> and <c>stonith-timeout</c> (or their newer names <c>fencing-*</c>). Throws
    /// <see cref="FormatException"/> naming the device, level or option that is wrong.
    /// </summary>
    public static FencingConfiguration FromCluster(ClusterConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var devices = configuration.AllPrimitives().Where(p => p.IsFencingDevice).Select(FenceDevice.FromPrimitive).ToImmutableArray();
        var properties = Flatten(configuration.Properties);
        string? Property(string name, string newName) =>
            properties.TryGetValue(newName, out var v) ? v : properties.TryGetValue(name, out v) ? v : null;

        var timeout = Property("stonith-timeout", "fencing-timeout") is { } t
            ? HostParsing.ParseDuration("stonith-timeout", t)
            : PacemakerDefaultTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            throw new FormatException("stonith-timeout must be longer than zero");
        }

        var action = Property("stonith-action", "fencing-action") switch
        {
            null or "reboot" => FenceAction.Reboot,
            "off" or "poweroff" => FenceAction.Off,
            var other => throw new FormatException($"stonith-action '{other}' is not reboot or off"),
        };
        var enabled = Property("stonith-enabled", "fencing-enabled") is not { } e ||
            e.ToLowerInvariant() is "true" or "yes" or "on" or "1" or "y";
        var nodes = configuration.Nodes.ToImmutableDictionary(n => n.Name, n => Flatten(n.Attributes).ToImmutableDictionary());
        return Validate(new FencingConfiguration(devices, configuration.FencingTopology, nodes, timeout, action, enabled));
    }

    /// <summary>
    /// Configurations that work but will hurt: an IPMI-style device (one machine per device) with no
    /// <c>pcmk_host_list</c>/<c>pcmk_host_map</c> answers "status" for any node name, so Pacemaker's default check
    /// makes it claim every node, and fencing node A would power off the machine behind the BMC instead.
    /// </summary>
    public ImmutableArray<string> Warnings() =>
    [
        .. Devices
            .Where(d => d.HostList.IsEmpty && d.HostMap.IsEmpty && d.ConfiguredHostCheck is null or HostCheck.Status &&
                d.Agent is "fence_ipmilan" or "fence_ipmilanplus" or "fence_cm_ipmi" or "fence_idrac" or "fence_imm" or
                    "fence_ilo3" or "fence_ilo4" or "fence_ilo5" or "fence_ilo_ssh" or "fence_redfish")
            .Select(d => $"stonith device '{d.Id}' ({d.Agent}) controls one machine but has no pcmk_host_list: it would claim every node"),
    ];

    /// <summary>Checks level indexes (1-9) and that every level names known devices. Throws <see cref="FormatException"/>.</summary>
    public static FencingConfiguration Validate(FencingConfiguration configuration)
    {
        var ids = configuration.Devices.Select(d => d.Id).ToHashSet();
        var duplicate = configuration.Devices.GroupBy(d => d.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"stonith device '{duplicate.Key}' is defined twice");
        }

        foreach (var level in configuration.Levels)
        {
            if (level.Index is < 1 or > 9)
            {
                throw new FormatException($"fencing level '{level.Id}': index {level.Index} is not in 1-9");
            }

            if (level.Devices.IsEmpty)
            {
                throw new FormatException($"fencing level '{level.Id}' has no devices");
            }

            if (level.Target is null && level.TargetPattern is null && level.TargetAttribute is null)
            {
                throw new FormatException($"fencing level '{level.Id}' has no target, target-pattern or target-attribute");
            }

            foreach (var device in level.Devices.Where(d => !ids.Contains(d)))
            {
                throw new FormatException($"fencing level '{level.Id}' names device '{device}', which is not configured");
            }
        }

        return configuration;
    }

    private static Dictionary<string, string> Flatten(ImmutableArray<NvSet> sets)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in sets.Where(s => s.Rule is null).OrderByDescending(s => s.Score).SelectMany(s => s.Pairs))
        {
            if (pair.Value is not null)
            {
                result.TryAdd(pair.Name, pair.Value);
            }
        }

        return result;
    }
}

using ClusterManager.Fencing;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cli.Output;

/// <summary>
/// Which nodes no fence device can fence, as far as the configuration alone tells (Pacemaker's users otherwise learn
/// it during the outage): a node with a fencing level is covered (the fencer uses the level's devices); otherwise a
/// device covers it by <c>pcmk_host_list</c> / <c>pcmk_host_map</c> (static-list) or <c>pcmk_host_check=none</c>.
/// A device that asks its agent (dynamic-list, status) cannot be verified here: with <c>unverifiable</c> the warning
/// says so (at <c>property set stonith-enabled=true</c>, a deliberate check); <c>hactl status</c> shows only the nodes
/// that certainly cannot be fenced, so a usual dynamic-list device does not raise a warning on every look.
/// Nothing is reported when fencing is disabled or when there is no device at all (pcs's own warning covers that).
/// </summary>
internal static class FencingCoverage
{
    /// <summary>One warning per node that cannot be fenced (and with <paramref name="unverifiable"/>, per node whose fencing cannot be verified).</summary>
    public static IReadOnlyList<string> Warnings(ClusterConfiguration configuration, IEnumerable<string> nodes, bool unverifiable)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(nodes);
        if (!configuration.AllPrimitives().Any(p => p.IsFencingDevice))
        {
            return [];
        }

        FencingConfiguration fencing;
        try
        {
            fencing = FencingConfiguration.FromCluster(configuration);
        }
        catch (FormatException e)
        {
            return [$"The fencing configuration is not usable: {e.Message}"];
        }

        if (!fencing.Enabled)
        {
            return [];
        }

        var warnings = new List<string>();
        foreach (var name in nodes.Distinct(StringComparer.Ordinal).Order(NodeNameOrder.Instance))
        {
            var node = new NodeName(name);
            try
            {
                if (!FenceTopology.LevelsFor(node, fencing).IsEmpty)
                {
                    continue;
                }
            }
            catch (FormatException e)
            {
                warnings.Add($"Node {name}: its fencing levels are not usable: {e.Message}");
                continue;
            }

            var answers = fencing.Devices.Select(d => (Device: d, Can: Fencer.CanFenceStatically(d, node))).ToList();
            if (answers.Any(a => a.Can == true))
            {
                continue;
            }

            var unknown = answers.Where(a => a.Can is null).Select(a => a.Device.Id.Value).ToList();
            if (unknown.Count > 0 && !unverifiable)
            {
                continue;
            }

            warnings.Add(unknown.Count > 0
                ? $"Node {name}: cannot verify that it can be fenced: stonith device(s) {string.Join(", ", unknown)} ask their agent "
                  + "(dynamic-list or status); give pcmk_host_list or pcmk_host_map to make it certain"
                : $"Node {name} cannot be fenced: no stonith device lists it in pcmk_host_list or pcmk_host_map and no fencing level targets it");
        }

        return warnings;
    }
}

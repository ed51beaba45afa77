using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Tests.Support;

/// <summary>
/// Reads a status section of a crm_simulate .summary back into a <see cref="ClusterView"/> (and the printer options
/// that reproduce its clone <c>Stopped</c> lists), so the printer can be checked against every section of the
/// corpus. Returns null for sections using what a view cannot express (bundles, remote nodes, failed probes, locks).
/// </summary>
internal static partial class SummaryTextParser
{
    private sealed class CloneBuilder(string id, string child, IReadOnlyList<string> attrs)
    {
        public string Id { get; } = id;
        public string Child { get; } = child;
        public bool Promotable { get; } = attrs.Contains("promotable");
        public bool Unique { get; } = attrs.Contains("unique");
        public bool Disabled { get; } = attrs.Contains("disabled");
        public bool Unmanaged { get; } = attrs.Contains("unmanaged");
        public List<ResourceView> Instances { get; } = [];
        public List<NodeName> KnownOn { get; } = [];
        public ResourceRole? TargetRole { get; set; }
        public int Next { get; set; }
    }

    private sealed class GroupBuilder(string id, IReadOnlyList<string> attrs)
    {
        public string Id { get; } = id;
        public bool Disabled { get; } = attrs.Contains("disabled");
        public bool Unmanaged { get; } = attrs.Contains("unmanaged");
        public List<PrimitiveView> Members { get; } = [];
    }

    /// <summary>The lines of the section titled <paramref name="title"/> (without the title line).</summary>
    public static IReadOnlyList<string>? Section(string[] lines, string title)
    {
        var start = Array.IndexOf(lines, title + ":");
        if (start < 0)
        {
            return null;
        }

        var section = new List<string>();
        for (var i = start + 1; i < lines.Length; i++)
        {
            if (lines[i].Length > 0 && lines[i][0] != ' ')
            {
                break;
            }

            section.Add(lines[i]);
        }

        while (section.Count > 0 && section[^1].Length == 0)
        {
            section.RemoveAt(section.Count - 1);
        }

        return section;
    }

    public static (ClusterView View, StatusWriteOptions Options)? Parse(IReadOnlyList<string> section)
    {
        var nodes = new List<NodeView>();
        var resources = new List<ResourceView>();
        var knownOn = ImmutableDictionary.CreateBuilder<ResourceId, ImmutableArray<NodeName>>();
        CloneBuilder? clone = null;
        GroupBuilder? group = null;
        var groupIndent = 0;
        var cloneIndent = 0;
        var mode = "";

        void CloseGroup()
        {
            if (group is null)
            {
                return;
            }

            var view = new GroupView(new ResourceId(group.Id), [.. group.Members], !group.Unmanaged, group.Disabled);
            if (clone is not null)
            {
                clone.Instances.Add(view);
            }
            else
            {
                resources.Add(view);
            }

            group = null;
        }

        void CloseClone()
        {
            CloseGroup();
            if (clone is null)
            {
                return;
            }

            if (clone.Instances.Count == 0)
            {
                clone.Instances.Add(Primitive($"{clone.Child}:{clone.Next++}", "ocf:pacemaker:Dummy", ResourceRole.Stopped, []));
            }

            var instances = clone.TargetRole is { } role
                ? clone.Instances.Select(i => WithTargetRole(i, role)).ToList()
                : clone.Instances;
            resources.Add(new CloneView(new ResourceId(clone.Id), clone.Unique, clone.Promotable, [.. instances], !clone.Unmanaged, clone.Disabled));
            var running = instances.SelectMany(i => ResourceDisplay.Members(i)).SelectMany(p => p.Nodes);
            knownOn[new ResourceId(clone.Id)] = [.. clone.KnownOn.Concat(running).Distinct()];
            clone = null;
        }

        foreach (var raw in section)
        {
            if (raw.Length == 0)
            {
                continue;
            }

            var m = Item().Match(raw);
            if (!m.Success)
            {
                return null;
            }

            var indent = m.Groups[1].Length;
            var item = m.Groups[2].Value;
            if (item == "Node List:")
            {
                mode = "nodes";
                continue;
            }

            if (item == "Full List of Resources:")
            {
                mode = "resources";
                continue;
            }

            if (mode == "nodes")
            {
                if (!ParseNode(item, nodes))
                {
                    return null;
                }

                continue;
            }

            if (item == "No resources")
            {
                continue;
            }

            if (group is not null && indent <= groupIndent)
            {
                CloseGroup();
            }

            if (clone is not null && indent <= cloneIndent)
            {
                CloseClone();
            }

            Match h;
            if ((h = GroupHeader().Match(item)).Success)
            {
                group = new GroupBuilder(h.Groups[1].Value, Attrs(h.Groups[2].Value));
                groupIndent = indent;
                continue;
            }

            if ((h = CloneHeader().Match(item)).Success)
            {
                clone = new CloneBuilder(h.Groups[1].Value, h.Groups[2].Value, Attrs(h.Groups[3].Value));
                cloneIndent = indent;
                continue;
            }

            if (clone is not null && group is null && (h = CloneList().Match(item)).Success)
            {
                var label = h.Groups[1].Value;
                var listed = h.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => new NodeName(n)).ToList();
                switch (label)
                {
                    case "Promoted":
                        listed.ForEach(n => clone.Instances.Add(Primitive($"{clone.Child}:{clone.Next++}", "ocf:pacemaker:Stateful", ResourceRole.Promoted, [n])));
                        break;
                    case "Started" or "Unpromoted" or "Unpromoted (target-role)":
                        var role = label == "Started" ? ResourceRole.Started : ResourceRole.Unpromoted;
                        listed.ForEach(n => clone.Instances.Add(Primitive($"{clone.Child}:{clone.Next++}", "ocf:pacemaker:Dummy", role, [n])));
                        if (label.EndsWith("(target-role)", StringComparison.Ordinal))
                        {
                            clone.TargetRole = ResourceRole.Unpromoted;
                        }

                        break;
                    case "Stopped" or "Stopped (disabled)":
                        if (label == "Stopped (disabled)" && !clone.Disabled)
                        {
                            clone.TargetRole = ResourceRole.Stopped;
                        }

                        clone.KnownOn.AddRange(listed);
                        listed.ForEach(_ => clone.Instances.Add(Primitive($"{clone.Child}:{clone.Next++}", "ocf:pacemaker:Dummy", ResourceRole.Stopped, [])));
                        break;
                    default:
                        return null; // Stopped (not installed) and the like: failed probes
                }

                continue;
            }

            if (!item.Contains('\t', StringComparison.Ordinal))
            {
                return null;
            }

            var promotable = clone?.Promotable ?? false;
            var primitive = ParsePrimitive(item, promotable);
            if (primitive is null)
            {
                return null;
            }

            if (clone is { Unique: false })
            {
                var suffix = group is not null ? group.Id[(group.Id.LastIndexOf(':') + 1)..] : (clone.Next++).ToString(System.Globalization.CultureInfo.InvariantCulture);
                primitive = primitive with { Id = new ResourceId($"{primitive.Id}:{suffix}") };
            }

            if (group is not null)
            {
                group.Members.Add(primitive);
            }
            else if (clone is not null)
            {
                clone.Instances.Add(primitive);
            }
            else
            {
                resources.Add(primitive);
            }
        }

        CloseGroup();
        CloseClone();
        var options = new StatusWriteOptions { SymmetricCluster = false, KnownOn = knownOn.ToImmutable() };
        return (new ClusterView([.. nodes], [.. resources]), options);
    }

    private static ResourceView WithTargetRole(ResourceView r, ResourceRole role) => r switch
    {
        PrimitiveView p => p with { TargetRole = role },
        GroupView g => g with { Members = [.. g.Members.Select(m => m with { TargetRole = role })] },
        _ => r,
    };

    private static List<string> Attrs(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static PrimitiveView Primitive(string id, string agent, ResourceRole role, IEnumerable<NodeName> nodes) =>
        new(new ResourceId(id), agent, role, [.. nodes], false, true, false, false, false, false, null, null);

    private static bool ParseNode(string item, List<NodeView> nodes)
    {
        var list = NodeListItem().Match(item);
        if (list.Success)
        {
            var online = list.Groups[1].Value == "Online";
            foreach (var name in list.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                nodes.Add(new NodeView(new NodeName(name), online ? NodeCondition.Online : NodeCondition.Offline, online, false, false, false, false, false));
            }

            return true;
        }

        var node = NodeItem().Match(item);
        if (!node.Success)
        {
            return false;
        }

        var n = new NodeName(node.Groups[1].Value);
        NodeView? view = node.Groups[2].Value switch
        {
            "UNCLEAN (online)" => new(n, NodeCondition.Unclean, true, true, false, false, false, false),
            "UNCLEAN (offline)" => new(n, NodeCondition.Unclean, false, true, false, false, false, false),
            "UNCLEAN (pending)" => new(n, NodeCondition.Pending, false, true, false, false, false, false),
            "pending" => new(n, NodeCondition.Pending, false, false, false, false, false, false),
            "standby" => new(n, NodeCondition.Standby, true, false, true, false, false, false),
            "standby (with active resources)" => new(n, NodeCondition.Standby, true, false, true, false, false, true),
            "OFFLINE (standby)" => new(n, NodeCondition.Offline, false, false, true, false, false, false),
            "maintenance" => new(n, NodeCondition.Maintenance, true, false, false, true, false, false),
            "OFFLINE (maintenance)" => new(n, NodeCondition.Offline, false, false, false, true, false, false),
            _ => null,
        };
        if (view is null)
        {
            return false;
        }

        nodes.Add(view);
        return true;
    }

    private static PrimitiveView? ParsePrimitive(string item, bool promotable)
    {
        var m = PrimitiveItem().Match(item);
        if (!m.Success)
        {
            return null;
        }

        var state = m.Groups[3].Value.Trim();
        var nodes = new List<NodeName>();
        var multi = MultiNodes().Match(state);
        if (multi.Success)
        {
            nodes.AddRange(multi.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => new NodeName(n)));
            state = state[..multi.Index].Trim();
        }

        var flags = Flags().Matches(state).SelectMany(f => f.Groups[1].Value.Split(", ")).ToList();
        state = Flags().Replace(state, " ");
        var words = state.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var p = Primitive(m.Groups[1].Value, m.Groups[2].Value, ResourceRole.Started, []);
        if (words.FirstOrDefault() == "ORPHANED")
        {
            p = p with { Orphaned = true };
            words.RemoveAt(0);
        }

        var failed = words.FirstOrDefault() == "FAILED";
        if (failed)
        {
            words.RemoveAt(0);
            p = p with { Failed = true };
        }

        ResourceRole? role = null;
        string? pending = null;
        if (words.Count > 0)
        {
            (role, pending) = words[0] switch
            {
                "Started" => (ResourceRole.Started, null),
                "Stopped" => (ResourceRole.Stopped, null),
                "Promoted" => (ResourceRole.Promoted, null),
                "Unpromoted" => (ResourceRole.Unpromoted, null),
                "Starting" => (ResourceRole.Started, "start"),
                "Stopping" => (ResourceRole.Started, "stop"),
                "Migrating" => (ResourceRole.Started, "migrate_to"),
                "Promoting" => (ResourceRole.Unpromoted, "promote"),
                "Demoting" => (ResourceRole.Promoted, "demote"),
                _ => ((ResourceRole?)null, (string?)null),
            };
            if (role is not null)
            {
                words.RemoveAt(0);
            }
        }

        if (words.Count > 0)
        {
            nodes.Add(new NodeName(words[0]));
            words.RemoveAt(0);
        }

        if (words.Count > 0)
        {
            return null; // a description
        }

        role ??= failed ? (nodes.Count > 0 ? (promotable ? ResourceRole.Unpromoted : ResourceRole.Started) : ResourceRole.Stopped) : ResourceRole.Unknown;
        p = p with { Role = role.Value, Nodes = [.. nodes], PendingTask = pending };
        foreach (var flag in flags)
        {
            p = flag switch
            {
                "UNCLEAN" => p,
                "disabled" => p with { TargetRole = ResourceRole.Stopped },
                "target-role:Unpromoted" => p with { TargetRole = ResourceRole.Unpromoted },
                "blocked" => p with { Blocked = true, Managed = false },
                "unmanaged" => p with { Managed = false },
                "failure ignored" => p with { FailureIgnored = true },
                "Monitoring" => p with { PendingTask = "monitor" },
                _ => null!,
            };
            if (p is null)
            {
                return null;
            }
        }

        return p;
    }

    [GeneratedRegex(@"^(\s*)\* (.*)$")]
    private static partial Regex Item();

    [GeneratedRegex(@"^Resource Group: (\S+?)(?: \(([^)]*)\))?:$")]
    private static partial Regex GroupHeader();

    [GeneratedRegex(@"^Clone Set: (\S+) \[(\S+)\](?: \(([^)]*)\))?:$")]
    private static partial Regex CloneHeader();

    [GeneratedRegex(@"^([A-Za-z]+(?: \([^)]*\))?): \[ (.*) \]$")]
    private static partial Regex CloneList();

    [GeneratedRegex(@"^(Online|OFFLINE): \[ (.*) \]$")]
    private static partial Regex NodeListItem();

    [GeneratedRegex(@"^Node (\S+): (.*)$")]
    private static partial Regex NodeItem();

    [GeneratedRegex(@"^(\S+)\t\((.*)\):\t(.*)$")]
    private static partial Regex PrimitiveItem();

    [GeneratedRegex(@"\[ (.*) \]$")]
    private static partial Regex MultiNodes();

    [GeneratedRegex(@"\(([^)]*)\)")]
    private static partial Regex Flags();
}

using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Output;

/// <summary>
/// One row of a final placement, as tests/conformance/tools/placement_of.py extracts it from crm_simulate's text:
/// <c>KEY ROLE NODE FLAGS</c> (NODE and FLAGS are "-" when empty).
/// </summary>
public sealed record PlacementRow(string Key, string Role, string Node, string Flags)
{
    /// <summary>The row as tab-separated columns, with or without FLAGS.</summary>
    public string ToText(bool withFlags = true) =>
        withFlags ? $"{Key}\t{Role}\t{Node}\t{Flags}" : $"{Key}\t{Role}\t{Node}";
}

/// <summary>
/// Computes placement rows from a <see cref="ClusterView"/> with placement_of.py's keys: a primitive's id;
/// unique clone instances keep their <c>:N</c>; anonymous clone instances are <c>CLONE/CHILD</c>, one row per
/// node, stopped ones omitted; an anonymous cloned group fully active on one node is <c>CLONE/GROUP</c>, otherwise
/// its active members are <c>CLONE/GROUP/MEMBER</c>. FAILED without a shown role counts as Started (Unpromoted in a
/// promotable clone), a bare FAILED as Stopped, each with the flag <c>failed</c>.
/// </summary>
public static class PlacementRows
{
    private static readonly Dictionary<string, int> RoleRank = new(StringComparer.Ordinal)
    {
        ["Stopped"] = 0, ["Unknown"] = 0, ["Starting"] = 1, ["Stopping"] = 1, ["Migrating"] = 1, ["Started"] = 2,
        ["Unpromoted"] = 3, ["Demoting"] = 3, ["Promoting"] = 3, ["Promoted"] = 4,
    };

    /// <summary>The rows of <paramref name="view"/>, sorted by key, node, role and flags (ordinal).</summary>
    public static ImmutableArray<PlacementRow> From(ClusterView view, StatusWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        options ??= StatusWriteOptions.Default;
        var rows = new List<PlacementRow>();
        foreach (var resource in view.Resources)
        {
            switch (resource)
            {
                case PrimitiveView p when !(p.Orphaned && p.Nodes.IsEmpty):
                    AddPrimitive(rows, p.Id.Value, p, view, options, promotable: false);
                    break;
                case GroupView g:
                    foreach (var member in g.Members)
                    {
                        AddPrimitive(rows, member.Id.Value, member, view, options, promotable: false);
                    }

                    break;
                case CloneView c:
                    AddClone(rows, c, view, options);
                    break;
                default:
                    break;
            }
        }

        return [.. rows
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .ThenBy(r => r.Node, StringComparer.Ordinal)
            .ThenBy(r => r.Role, StringComparer.Ordinal)
            .ThenBy(r => r.Flags, StringComparer.Ordinal)];
    }

    private static void AddClone(List<PlacementRow> rows, CloneView clone, ClusterView view, StatusWriteOptions options)
    {
        var child = ResourceDisplay.ChildId(clone);
        var configured = ResourceDisplay.ConfiguredRole(clone);
        foreach (var item in ResourceDisplay.LayoutClone(clone, view, options.ShowPending))
        {
            switch (item.Display)
            {
                case InstanceDisplay.PromotedList:
                    rows.Add(new PlacementRow($"{clone.Id}/{child}", "Promoted", item.Location!.Value.Value, "-"));
                    break;
                case InstanceDisplay.StartedList:
                    var role = clone.Promotable ? "Unpromoted" : "Started";
                    var flags = clone.Promotable && configured == ResourceRole.Unpromoted ? "target-role" : "-";
                    rows.Add(new PlacementRow($"{clone.Id}/{child}", role, item.Location!.Value.Value, flags));
                    break;
                case InstanceDisplay.Full when clone.Unique:
                    foreach (var p in ResourceDisplay.Members(item.Instance))
                    {
                        AddPrimitive(rows, p.Id.Value, p, view, options, clone.Promotable);
                    }

                    break;
                case InstanceDisplay.Full when item.Instance is PrimitiveView p:
                    var states = State(p, view, options, clone.Promotable);
                    if (states.Role != "Stopped")
                    {
                        AddRows(rows, $"{clone.Id}/{ResourceDisplay.BaseId(p.Id.Value)}", states);
                    }

                    break;
                case InstanceDisplay.Full when item.Instance is GroupView g:
                    AddAnonymousGroup(rows, clone, g, view, options);
                    break;
                default:
                    break;
            }
        }
    }

    private static void AddAnonymousGroup(
        List<PlacementRow> rows, CloneView clone, GroupView group, ClusterView view, StatusWriteOptions options)
    {
        var key = $"{clone.Id}/{ResourceDisplay.BaseId(group.Id.Value)}";
        var members = group.Members
            .Select(m => (Id: ResourceDisplay.BaseId(m.Id.Value), State: State(m, view, options, clone.Promotable)))
            .ToList();
        if (members.Count == 0)
        {
            return;
        }

        var active = members.All(m => m.State.Role != "Stopped" && m.State.Nodes.Count == 1);
        if (active && members.Select(m => m.State.Nodes[0]).Distinct().Count() == 1)
        {
            var role = members.Select(m => m.State.Role).MaxBy(r => RoleRank.GetValueOrDefault(r, 2))!;
            var flags = members.SelectMany(m => m.State.Flags).ToList();
            rows.Add(new PlacementRow(key, role, members[0].State.Nodes[0], FlagText(flags)));
            return;
        }

        foreach (var (id, state) in members)
        {
            if (state.Role != "Stopped")
            {
                AddRows(rows, $"{key}/{id}", state);
            }
        }
    }

    private static void AddPrimitive(
        List<PlacementRow> rows, string key, PrimitiveView p, ClusterView view, StatusWriteOptions options, bool promotable) =>
        AddRows(rows, key, State(p, view, options, promotable));

    private static void AddRows(List<PlacementRow> rows, string key, RowState state)
    {
        var flags = FlagText(state.Flags);
        if (state.Nodes.Count == 0)
        {
            rows.Add(new PlacementRow(key, state.Role, "-", flags));
        }

        foreach (var node in state.Nodes)
        {
            rows.Add(new PlacementRow(key, state.Role, node, flags));
        }
    }

    private sealed record RowState(string Role, IReadOnlyList<string> Nodes, IReadOnlyList<string> Flags);

    // What placement_of.py reads back from the printed line.
    private static RowState State(PrimitiveView p, ClusterView view, StatusWriteOptions options, bool promotable)
    {
        var flags = new List<string>();
        var nodes = p.Nodes.Select(n => n.Value).ToList();
        if (p.Orphaned)
        {
            flags.Add("orphaned");
        }

        var display = ResourceDisplay.DisplayRole(p, promotable);
        string role;
        if (p.Failed)
        {
            flags.Add("failed");
            role = display > ResourceRole.Unpromoted ? ResourceDisplay.RoleText(display)
                : nodes.Count > 0 ? (promotable ? "Unpromoted" : "Started")
                : "Stopped";
        }
        else
        {
            role = (options.ShowPending ? ResourceDisplay.PendingState(p.PendingTask) : null) ?? ResourceDisplay.RoleText(display);
        }

        if (nodes.Count == 1 && view.Nodes.FirstOrDefault(n => n.Name.Value == nodes[0]) is { Online: false, Unclean: true })
        {
            flags.Add("unclean");
        }

        // placement_of.py writes crm_mon's "failure ignored" with a hyphen.
        var stateFlags = new List<string>(4);
        ResourceDisplay.AddStateFlags(stateFlags, p, options, promotable);
        flags.AddRange(stateFlags.Select(f => f == "failure ignored" ? "failure-ignored" : f));

        return new RowState(role, nodes, flags);
    }

    private static string FlagText(IEnumerable<string> flags)
    {
        var distinct = flags.Distinct().Order(StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? "-" : string.Join(',', distinct);
    }
}

using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Output;

/// <summary>How one clone instance is shown by <c>crm_mon</c>/<c>crm_simulate</c> text output.</summary>
public enum InstanceDisplay
{
    /// <summary>Printed on its own line(s) (unique clones; failed, orphaned, unmanaged, partially active instances).</summary>
    Full,

    /// <summary>Collapsed into the clone's <c>Promoted: [ ... ]</c> list.</summary>
    PromotedList,

    /// <summary>Collapsed into the clone's <c>Started: [ ... ]</c> (or <c>Unpromoted: [ ... ]</c>) list.</summary>
    StartedList,

    /// <summary>An inactive instance of an anonymous clone (counted in <c>Stopped: [ ... ]</c>).</summary>
    Stopped,

    /// <summary>Not shown at all (an inactive orphan).</summary>
    Hidden,
}

/// <summary>One clone instance and how it is displayed; <see cref="Location"/> is set for collapsed instances.</summary>
public sealed record InstanceLayout(ResourceView Instance, InstanceDisplay Display, NodeName? Location);

/// <summary>
/// The display decisions of Pacemaker 2.1.5's text output (lib/pengine/native.c, group.c, clone.c), shared by
/// the status printer and the placement rows so both agree on what is shown and how.
/// </summary>
public static class ResourceDisplay
{
    /// <summary>The primitives of a clone instance (itself, or a group's members).</summary>
    public static ImmutableArray<PrimitiveView> Members(ResourceView r) => r switch
    {
        PrimitiveView p => [p],
        GroupView g => g.Members,
        CloneView c => [.. c.Instances.SelectMany(i => Members(i).AsEnumerable())],
        _ => [],
    };

    /// <summary>The id without a clone instance suffix (<c>rsc:2</c> → <c>rsc</c>).</summary>
    public static string BaseId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var colon = id.LastIndexOf(':');
        var isInstance = colon > 0 && colon < id.Length - 1 && !id.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9');
        return isInstance ? id[..colon] : id;
    }

    /// <summary>The id as printed: anonymous clone instances (and their group members) lose their suffix.</summary>
    public static string PrintableId(PrimitiveView p, bool anonymousInstance) =>
        anonymousInstance ? BaseId(p.Id.Value) : p.Id.Value;

    /// <summary>
    /// The role a primitive is displayed with: Started inside a promotable clone reads Unpromoted
    /// (<c>native_displayable_role</c>).
    /// </summary>
    public static ResourceRole DisplayRole(PrimitiveView p, bool promotable) =>
        p.Role == ResourceRole.Started && promotable ? ResourceRole.Unpromoted : p.Role;

    /// <summary>The state word for a pending operation (<c>native_pending_state</c>), or null.</summary>
    public static string? PendingState(string? task) => task?.ToLowerInvariant() switch
    {
        "start" => "Starting",
        "stop" => "Stopping",
        "migrate_to" or "migrate_from" => "Migrating",
        "promote" => "Promoting",
        "demote" => "Demoting",
        _ => null,
    };

    /// <summary>The flag for a pending recurring monitor (<c>native_pending_task</c>), or null.</summary>
    public static string? PendingFlag(string? task) =>
        string.Equals(task, "monitor", StringComparison.OrdinalIgnoreCase) ? "Monitoring" : null;

    /// <summary>Pacemaker's role names.</summary>
    public static string RoleText(ResourceRole role) => role switch
    {
        ResourceRole.Stopped => "Stopped",
        ResourceRole.Started => "Started",
        ResourceRole.Unpromoted => "Unpromoted",
        ResourceRole.Promoted => "Promoted",
        _ => "Unknown",
    };

    /// <summary>Whether a primitive counts as disabled (<c>pe__resource_is_disabled</c>).</summary>
    public static bool IsDisabled(PrimitiveView p, bool promotable) =>
        p.Disabled
        || p.TargetRole == ResourceRole.Stopped
        || (promotable && p.TargetRole == ResourceRole.Unpromoted);

    /// <summary>Lays out the instances of a clone as <c>pe__clone_default</c> does.</summary>
    public static ImmutableArray<InstanceLayout> LayoutClone(CloneView clone, ClusterView view, bool showPending)
    {
        var result = ImmutableArray.CreateBuilder<InstanceLayout>(clone.Instances.Length);
        foreach (var instance in clone.Instances)
        {
            result.Add(new InstanceLayout(instance, Classify(clone, instance, view, showPending, out var location), location));
        }

        return result.MoveToImmutable();
    }

    private static InstanceDisplay Classify(
        CloneView clone, ResourceView instance, ClusterView view, bool showPending, out NodeName? location)
    {
        location = null;
        var members = Members(instance);
        var partiallyActive = members.Any(m => !m.Nodes.IsEmpty);
        var anyOrphan = members.Any(m => m.Orphaned);
        if (clone.Unique)
        {
            return InstanceDisplay.Full;
        }

        if (showPending && instance is PrimitiveView { PendingTask: { } task } && !string.Equals(task, "probe", StringComparison.OrdinalIgnoreCase))
        {
            return InstanceDisplay.Full;
        }

        if (!partiallyActive)
        {
            return anyOrphan ? InstanceDisplay.Hidden : InstanceDisplay.Stopped;
        }

        var allManaged = members.All(m => m.Managed) && (instance is not GroupView g || g.Managed);
        if (anyOrphan || !allManaged || members.Any(m => m.Failed))
        {
            return InstanceDisplay.Full;
        }

        if (members.Any(m => m.Nodes.IsEmpty))
        {
            return InstanceDisplay.Full; // partially active
        }

        var nodes = members.SelectMany(m => m.Nodes).Distinct().ToList();
        if (nodes.Count != 1)
        {
            return InstanceDisplay.Full; // uncolocated group or multiply active
        }

        var node = view.Nodes.FirstOrDefault(n => n.Name == nodes[0]);
        if (node is { Online: false, Unclean: true })
        {
            return InstanceDisplay.Full;
        }

        location = nodes[0];
        return members.Max(m => m.Role) > ResourceRole.Unpromoted ? InstanceDisplay.PromotedList : InstanceDisplay.StartedList;
    }

    /// <summary>The target role configured for a clone (<c>configured_role</c>): its first instance's.</summary>
    public static ResourceRole? ConfiguredRole(CloneView clone) =>
        clone.Disabled ? ResourceRole.Stopped : clone.Instances.IsEmpty ? null : Members(clone.Instances[0]).FirstOrDefault()?.TargetRole;

    /// <summary>The child's id shown in the clone header (<c>Clone Set: c [child]</c>).</summary>
    public static string ChildId(CloneView clone) => clone.Instances.IsEmpty
        ? clone.Id.Value
        : BaseId(clone.Instances[0].Id.Value);

    /// <summary>
    /// The state flags crm_mon prints after a primitive, in its order: pending operation, disabled or a
    /// restricted target role, blocked or unmanaged, failure ignored.
    /// </summary>
    internal static void AddStateFlags(List<string> flags, PrimitiveView p, StatusWriteOptions options, bool promotable)
    {
        if (options.ShowPending && PendingFlag(p.PendingTask) is { } pending)
        {
            flags.Add(pending);
        }

        if (p.Disabled || p.TargetRole == ResourceRole.Stopped)
        {
            flags.Add("disabled");
        }
        else if (promotable && p.TargetRole == ResourceRole.Unpromoted)
        {
            flags.Add("target-role:Unpromoted");
        }

        if (p.Blocked)
        {
            flags.Add("blocked");
        }
        else if (!p.Managed)
        {
            flags.Add("unmanaged");
        }

        if (p.FailureIgnored)
        {
            flags.Add("failure ignored");
        }
    }
}

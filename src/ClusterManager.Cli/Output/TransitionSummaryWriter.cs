using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Output;

/// <summary>
/// Renders <see cref="Transition.Changes"/> as crm_simulate 2.1.5's "Transition Summary" lines, mirroring
/// <c>rsc_action_item</c> and <c>node_action</c> in lib/pacemaker/pcmk_output.c:
/// <c>"%-8s   %-*s   ( %*s )%s%s"</c> where the id column starts 5 wide and becomes <c>len + 2</c> whenever an id
/// is longer than it, and the details column is right-aligned to the widest details seen so far. Both widths are
/// static variables in Pacemaker that only grow, and the scheduler formats every action once for the log
/// (<c>log_all_actions</c>) before crm_simulate prints the summary, so every summary line uses the final widths.
/// (The one corpus summary of 396 that differs, tier2/promoted-with-blocked, had different details in that
/// logging pass, which runs before the transition graph is built.)
/// </summary>
/// <remarks>
/// Contract with the engine (<see cref="ResourceChange"/>): <c>From</c>/<c>To</c> are the origin and destination
/// Pacemaker passes to <c>rsc_action_item</c> (a recovery in place has <c>To</c> null), <c>FromRole</c>/<c>ToRole</c>
/// the resource's current and next role (null: Started where a node is given, else Stopped), <c>Reason</c> the
/// action's reason without the "due to" prefix, <c>Blocked</c> that the action is not runnable. A fence line's
/// action (reboot, off, on) comes from the matching fence <see cref="PlannedAction"/>; without a reason Pacemaker
/// prints no fence line.
/// </remarks>
public sealed class TransitionSummaryWriter
{
    private int _rscWidth = 5;
    private int _detailWidth = 5;

    /// <summary>The summary lines (each starting with <c>"  * "</c>) for a transition.</summary>
    public static ImmutableArray<string> Lines(Transition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return Lines(transition.Changes, transition.Actions);
    }

    /// <summary>The summary lines for <paramref name="changes"/>; fence actions are looked up in <paramref name="actions"/>.</summary>
    public static ImmutableArray<string> Lines(ImmutableArray<ResourceChange> changes, ImmutableArray<PlannedAction> actions)
    {
        // First pass: Pacemaker's logging pass, which leaves the widths at their final values.
        var writer = new TransitionSummaryWriter();
        foreach (var change in changes)
        {
            writer.Format(change, actions);
        }

        var lines = ImmutableArray.CreateBuilder<string>(changes.Length);
        foreach (var change in changes)
        {
            if (writer.Format(change, actions) is { } line)
            {
                lines.Add("  * " + line);
            }
        }

        return lines.ToImmutable();
    }

    /// <summary>Writes the "Transition Summary:" section (header and lines).</summary>
    public static void Write(TextWriter writer, Transition transition)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("Transition Summary:\n");
        foreach (var line in Lines(transition))
        {
            writer.Write(line);
            writer.Write('\n');
        }
    }

    /// <summary>Formats one change (without the list bullet), or null when Pacemaker prints nothing for it.</summary>
    public string? Format(ResourceChange change, ImmutableArray<PlannedAction> actions)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Kind == ChangeKind.Fence)
        {
            if (change.Reason is null)
            {
                return null;
            }

            var node = change.To ?? change.From ?? new NodeName(change.Subject);
            var action = actions.IsDefault
                ? null
                : actions.FirstOrDefault(a => a.Kind == ActionKind.Fence && a.Node == node)?.FenceAction;
            return $"Fence ({action ?? "reboot"}) {node} '{change.Reason}'";
        }

        var id = change.Subject;
        if (id.Length > _rscWidth)
        {
            _rscWidth = id.Length + 2;
        }

        var details = Details(change);
        if (details.Length > _detailWidth)
        {
            _detailWidth = details.Length;
        }

        var reason = Reason(change);
        return $"{Word(change.Kind),-8}   {id.PadRight(_rscWidth)}   ( {details.PadLeft(_detailWidth)} ){(reason is null ? "" : "  " + reason)}";
    }

    private static string Word(ChangeKind kind) => kind switch
    {
        ChangeKind.RePromote => "Re-promote",
        _ => kind.ToString(),
    };

    private static string? Reason(ResourceChange change)
    {
        var reason = change.Reason;
        if (reason is not null && reason.StartsWith("due to ", StringComparison.Ordinal))
        {
            reason = reason["due to ".Length..];
        }

        if (reason is not null)
        {
            return change.Blocked ? $"due to {reason} (blocked)" : $"due to {reason}";
        }

        return change.Blocked ? "blocked" : null;
    }

    // The branches of rsc_action_item, in its order.
    private static string Details(ResourceChange change)
    {
        var origin = change.From;
        var destination = change.To;
        var role = change.FromRole ?? (origin is null ? ResourceRole.Stopped : ResourceRole.Started);
        var nextRole = change.ToRole ?? (destination is null ? ResourceRole.Stopped : ResourceRole.Started);
        var needRole = role > ResourceRole.Started || nextRole > ResourceRole.Unpromoted;
        var sameHost = origin is not null && destination is not null && origin == destination;
        var sameRole = role == nextRole;
        string R(ResourceRole r) => ResourceDisplay.RoleText(r);

        if (origin is null && destination is null)
        {
            throw new ArgumentException($"change of {change.Subject} has neither an origin nor a destination", nameof(change));
        }

        if (needRole && origin is null)
        {
            return $"{R(role)} -> {R(nextRole)} {destination}";
        }

        if (origin is null)
        {
            return destination!.Value.Value;
        }

        if (needRole && destination is null)
        {
            return $"{R(role)} {origin}";
        }

        if (destination is null)
        {
            return origin.Value.Value;
        }

        if (needRole && sameRole && sameHost)
        {
            return $"{R(role)} {origin}";
        }

        if (sameRole && sameHost)
        {
            return origin.Value.Value;
        }

        if (needRole && sameRole)
        {
            return $"{origin} -> {destination} {R(role)}";
        }

        if (sameRole)
        {
            return $"{origin} -> {destination}";
        }

        if (sameHost)
        {
            return $"{R(role)} -> {R(nextRole)} {origin}";
        }

        return $"{R(role)} {origin} -> {R(nextRole)} {destination}";
    }
}

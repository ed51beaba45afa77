using System.Xml.Linq;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;
using ClusterManager.Cli.Output;
using ClusterManager.Policy;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Resources;

/// <summary>
/// pcs's <c>resource disable --simulate / --safe [--no-strict] [--brief]</c> and <c>resource safe-disable</c>: the
/// policy engine runs on the cluster's state as it is and as it would be after the change, and the resources other
/// than the ones named that the change would touch are reported (simulate) or make the command refuse (safe). A safe
/// disable is applied with the epoch it was checked on, so a configuration changed in between is not disabled
/// unchecked.
/// </summary>
internal sealed record DisableCheck(bool Simulate, bool Safe, bool Brief, bool NoStrict)
{
    /// <summary>Whether the engine must run before anything is changed.</summary>
    public bool Checks => Simulate || Safe;

    /// <summary>Takes the options from <paramref name="args"/>.</summary>
    public static DisableCheck Take(ArgumentCursor args, bool safeCommand)
    {
        var simulate = args.TakeFlag("--simulate");
        var safe = args.TakeFlag("--safe") || safeCommand;
        var brief = args.TakeFlag("--brief");
        var noStrict = args.TakeFlag("--no-strict");
        var force = safeCommand && args.TakeFlag("--force");
        if (simulate && safe && !safeCommand)
        {
            throw new UsageException("--simulate and --safe cannot be used together");
        }

        if (brief && !simulate && !safe)
        {
            throw new UsageException("--brief needs --safe or --simulate");
        }

        if (noStrict && !safe)
        {
            throw new UsageException("--no-strict needs --safe");
        }

        return new DisableCheck(simulate, safe && !simulate && !force, brief, noStrict);
    }

    /// <summary>Runs the check for disabling <paramref name="ids"/> with <paramref name="plan"/>, then applies it when allowed.</summary>
    public async Task<int> RunAsync(ClusterCall call, IReadOnlyList<string> ids, Func<ClusterState, EditPlan> plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var membership = await call.Client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var state = await call.Client.GetStateAsync(includeStatus: true, linearizable: true, cancellationToken).ConfigureAwait(false);
        var edit = plan(state);
        if (edit.Error is not null)
        {
            return call.Fail(edit.Error);
        }

        var (after, errors) = CibChangeApplier.Apply(state.Cib, edit.Changes, call.Context.Time.GetUtcNow());
        if (after is null)
        {
            return call.Fail(string.Join("; ", errors));
        }

        var before = LiveCluster.From(membership, state);
        var changed = LiveCluster.From(membership, ClusterState.Parse(after.ToString(SaveOptions.DisableFormatting), state.Epoch, state.Index, call.Context.Time.GetUtcNow()));
        if (before.Transition is null || changed.Transition is not { } transition)
        {
            return call.Fail($"the policy engine cannot compute the effect: {before.EngineError ?? changed.EngineError}");
        }

        var named = Named(state.Resources, ids);
        var affected = Affected(before.Transition, transition, named, strict: !NoStrict);
        if (Simulate)
        {
            if (Brief)
            {
                foreach (var id in affected)
                {
                    call.Out.Write(id + "\n");
                }
            }
            else
            {
                TransitionSummaryWriter.Write(call.Out, transition);
            }

            return ExitCodes.Ok;
        }

        if (affected.Count > 0)
        {
            if (!Brief)
            {
                TransitionSummaryWriter.Write(call.Out, transition);
            }

            return call.Fail(NoStrict
                ? $"disabling {Quote(ids)} would stop or demote other resources: {Quote(affected)}; nothing was changed"
                : $"disabling {Quote(ids)} would affect other resources: {Quote(affected)}; nothing was changed (--no-strict allows moves)");
        }

        try
        {
            await call.Client.ApplyAsync(edit.Changes, state.Epoch, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
        {
            return call.Fail("the configuration changed while the effect was being checked; nothing was changed (run the command again)");
        }

        foreach (var message in edit.Messages)
        {
            call.Out.Write(message + "\n");
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// The resources (base ids, sorted) outside <paramref name="named"/> with a summary line after the change that they
    /// did not already have before it: any line (strict), or only a stop or demote (--no-strict: moves allowed).
    /// </summary>
    public static IReadOnlyList<string> Affected(Transition before, Transition after, IReadOnlySet<string> named, bool strict)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(named);
        var already = before.Changes.Select(c => (c.Kind, c.Subject, c.From, c.To)).ToHashSet();
        return [.. after.Changes
            .Where(c => c.Kind != ChangeKind.Fence && !already.Contains((c.Kind, c.Subject, c.From, c.To)))
            .Where(c => strict || c.Kind is ChangeKind.Stop or ChangeKind.Demote)
            .Select(c => ResourceDisplay.BaseId(c.Subject))
            .Where(id => !named.Contains(id))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The named resources and everything inside them (a group's members, a clone's child).</summary>
    public static IReadOnlySet<string> Named(XElement resources, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(ids);
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            named.Add(id);
            if (CibEdit.FindResource(resources, id) is { } element)
            {
                foreach (var inner in element.DescendantsAndSelf().Where(e => e.Name.LocalName is "primitive" or "group" or "clone" or "master"))
                {
                    named.Add((string?)inner.Attribute("id") ?? "");
                }
            }
        }

        return named;
    }

    private static string Quote(IEnumerable<string> ids) => string.Join(", ", ids.Select(i => $"'{i}'"));
}

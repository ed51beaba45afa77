using System.Xml.Linq;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;
using ClusterManager.Cli.Output;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private static readonly TimeSpan DefaultMoveWait = TimeSpan.FromMinutes(10);

    /// <summary>
    /// pcs 0.11's resource move: check with the policy engine that the temporary constraint moves the resource (and,
    /// with --strict, nothing else), apply it, wait until the cluster has settled, remove it, and check that the
    /// resource stays; if it would move back, the constraint is restored and the command fails.
    /// </summary>
    private static async Task<int> MoveAndClearAsync(ClusterCall call, TimeSpan? wait, CancellationToken cancellationToken)
    {
        if (call.Client is not ClusterClient)
        {
            if (wait is not null)
            {
                throw new LiveClusterRequiredException("--wait");
            }

            call.Error.Write("note: on a file the move constraint stays (nothing to wait for): as move-with-constraint\n");
            return await MoveAsync(call, ban: false, cancellationToken).ConfigureAwait(false);
        }

        var args = call.Args;
        var promoted = args.TakeFlag("--promoted", "--master");
        var strict = args.TakeFlag("--strict");
        args.TakeFlag("--autodelete");
        var id = args.Take("resource id");
        var node = args.AtEnd ? null : args.Take("node");
        args.EnsureEnd();
        var role = promoted ? "Promoted" : "Started";

        var membership = await call.Client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var state = await call.Client.GetStateAsync(includeStatus: true, linearizable: true, cancellationToken).ConfigureAwait(false);
        var before = LiveCluster.From(membership, state);
        if (CibEdit.FindResource(state.Resources, id) is null)
        {
            return call.Fail($"resource '{id}' does not exist");
        }

        if (before.Transition is null)
        {
            return call.Fail($"the policy engine cannot compute the move: {before.EngineError}");
        }

        var running = before.RunningOn(id);
        if (node is null && running.Length != 1)
        {
            return call.Fail(running.Length == 0
                ? $"resource '{id}' is not running, so it cannot be moved away from its node; name a node"
                : $"resource '{id}' is active on {running.Length} nodes ({string.Join(", ", running)}); name a node");
        }

        if (node is not null && running.Length == 1 && running[0].Value == node)
        {
            return call.Fail($"resource '{id}' already runs on {node}");
        }

        var from = node is null ? running[0].Value : null;
        var edit = MovePlan(id, node, from, ban: false, role, lasting: false)(state);
        var constraintId = (string)XElement.Parse(edit.Changes[0].PutConstraint.Xml).Attribute("id")!;
        var (moved, errors) = CibChangeApplier.Apply(state.Cib, edit.Changes, call.Context.Time.GetUtcNow());
        if (moved is null)
        {
            return call.Fail(string.Join("; ", errors));
        }

        var after = LiveCluster.From(membership, ClusterState.Parse(moved.ToString(SaveOptions.DisableFormatting), state.Epoch, state.Index, call.Context.Time.GetUtcNow()));
        if (after.Transition is null)
        {
            return call.Fail($"the policy engine cannot compute the move: {after.EngineError}");
        }

        var named = DisableCheck.Named(state.Resources, [id]);
        var others = DisableCheck.Affected(before.Transition, after.Transition, named, strict: true);
        var itself = DisableCheck.Affected(before.Transition, after.Transition, new HashSet<string>(StringComparer.Ordinal), strict: true).Where(named.Contains).ToList();
        if (itself.Count == 0)
        {
            return call.Fail($"'{id}' would not move with {constraintId} (other constraints or failures keep it where it is); nothing was changed");
        }

        if (strict && others.Count > 0)
        {
            return call.Fail($"moving '{id}' would also affect {string.Join(", ", others.Select(o => $"'{o}'"))}; nothing was changed (without --strict it is allowed)");
        }

        try
        {
            await call.Client.ApplyAsync(edit.Changes, state.Epoch, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
        {
            return call.Fail("the configuration changed while the move was being checked; nothing was changed (run the command again)");
        }

        var settled = await ClusterCommand.WaitUntilSettledAsync(call, wait ?? DefaultMoveWait, cancellationToken).ConfigureAwait(false);
        if (settled != ExitCodes.Ok)
        {
            call.Error.Write($"error: '{id}' did not finish moving; {constraintId} stays ('hactl resource clear {id}' removes it)\n");
            return settled;
        }

        await call.Client.ApplyAsync([Changes.DeleteConstraint(constraintId)], null, cancellationToken).ConfigureAwait(false);
        var now = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var where = string.Join(", ", now.RunningOn(id));
        var goesBack = now.Transition is { } t && t.Changes.Any(c => named.Contains(ResourceDisplay.BaseId(c.Subject)));
        if (goesBack)
        {
            await call.Client.ApplyAsync(edit.Changes, null, cancellationToken).ConfigureAwait(false);
            return call.Fail($"'{id}' would move back from {where} once {constraintId} is removed (stickiness lower than its other preferences): "
                             + $"the constraint was put back; 'hactl resource clear {id}' removes it");
        }

        call.Out.Write($"'{id}' moved to {where}; the temporary constraint {constraintId} was removed\n");
        return ExitCodes.Ok;
    }
}

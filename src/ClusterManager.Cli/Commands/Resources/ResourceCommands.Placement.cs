using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private const string MoveUsage = """
        Usage: hactl resource move RESOURCE_ID [NODE] [--promoted] [--strict] [--wait[=SECONDS]]

        Moves a resource as pcs 0.11 does: a temporary location constraint (to NODE: cli-prefer-RESOURCE_ID,
        INFINITY; without NODE: away from the node it runs on, cli-ban-RESOURCE_ID-on-NODE, -INFINITY), then, once
        the cluster has moved it, the constraint is removed again. Before anything is changed the policy engine
        checks that the constraint does move the resource (and with --strict that no other resource is affected);
        after the removal it checks that the resource stays: if it would move back, the constraint is put back and
        the command fails ('hactl resource clear RESOURCE_ID' removes it). --wait limits the wait for the move
        (default 10 minutes). On a file (-f) the constraint stays, as move-with-constraint.
        """;

    private static readonly CommandDefinition Move = ClusterCommand.DefineWaiting(
        ["resource", "move"], "move a resource (temporary constraint, removed once moved)", MoveUsage, MoveAndClearAsync);

    private const string MoveWithConstraintUsage = """
        Usage: hactl resource move-with-constraint RESOURCE_ID [NODE] [--promoted]

        Moves a resource with a location constraint, as crm_resource --move and pcs 0.10's move: to NODE with
        cli-prefer-RESOURCE_ID (score INFINITY), or away from the node it runs on with cli-ban-RESOURCE_ID-on-NODE
        (-INFINITY). The constraint stays until 'hactl resource clear RESOURCE_ID'.
        """;

    private static readonly CommandDefinition MoveWithConstraint = ClusterCommand.Define(
        ["resource", "move-with-constraint"], "move a resource with a lasting constraint (pcs 0.10 move)", MoveWithConstraintUsage,
        (call, ct) => MoveAsync(call, ban: false, ct));

    private const string BanUsage = """
        Usage: hactl resource ban RESOURCE_ID [NODE] [--promoted]

        Keeps a resource off NODE (default: the node it runs on) with cli-ban-RESOURCE_ID-on-NODE (-INFINITY),
        until 'hactl resource clear RESOURCE_ID'.
        """;

    private static readonly CommandDefinition Ban = ClusterCommand.Define(
        ["resource", "ban"], "keep a resource off a node (cli-ban constraint)", BanUsage, (call, ct) => MoveAsync(call, ban: true, ct));

    private const string ClearUsage = """
        Usage: hactl resource clear RESOURCE_ID [NODE]

        Removes the constraints that move and ban created (cli-prefer-RESOURCE_ID, cli-ban-RESOURCE_ID-on-*; with
        NODE only those naming that node).
        """;

    private static readonly CommandDefinition Clear = ClusterCommand.Define(
        ["resource", "clear"], "remove move/ban constraints", ClearUsage, ClearAsync);

    private static async Task<int> MoveAsync(ClusterCall call, bool ban, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var promoted = args.TakeFlag("--promoted", "--master");
        args.TakeFlag("--autodelete");
        var id = args.Take("resource id");
        var node = args.AtEnd ? null : args.Take("node");
        if (!args.AtEnd && args.Peek()!.StartsWith("lifetime=", StringComparison.Ordinal))
        {
            throw new UsageException("lifetime= is not supported: clear the constraint with 'hactl resource clear'");
        }

        args.EnsureEnd();
        var role = promoted ? "Promoted" : "Started";
        string? from = null;
        if (node is null)
        {
            // Without a node: away from where it runs now, as crm_resource does.
            var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
            if (CibEdit.FindResource(live.State.Resources, id) is null)
            {
                return call.Fail($"resource '{id}' does not exist");
            }

            var running = live.RunningOn(id);
            if (running.Length == 0)
            {
                return call.Fail($"resource '{id}' is not running, so it cannot be {(ban ? "banned from" : "moved away from")} its node; name a node");
            }

            if (running.Length > 1)
            {
                return call.Fail($"resource '{id}' is active on {running.Length} nodes ({string.Join(", ", running)}); name a node");
            }

            from = running[0].Value;
        }

        return await ClusterCommand.EditAsync(call, MovePlan(id, node, from, ban, role, lasting: true), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The location constraint of a move (to <paramref name="node"/>) or a ban (off <paramref name="node"/>, else off <paramref name="from"/>).</summary>
    private static Func<ClusterState, EditPlan> MovePlan(string id, string? node, string? from, bool ban, string role, bool lasting) => state =>
    {
        if (CibEdit.FindResource(state.Resources, id) is null)
        {
            return EditPlan.Fail($"resource '{id}' does not exist");
        }

        var stays = lasting ? $"; it stays until 'hactl resource clear {id}'" : "";
        if (!ban && node is not null)
        {
            var prefer = ConstraintXml.Location(ConstraintXml.PreferId(id), id, node, "INFINITY", role);
            return EditPlan.Of([Changes.PutConstraint(prefer, WriteMode.Upsert)],
                $"Location constraint {ConstraintXml.PreferId(id)} moves '{id}' to {node}{stays}");
        }

        var target = node ?? from!;
        var banId = ConstraintXml.BanId(id, target);
        var element = ConstraintXml.Location(banId, id, target, "-INFINITY", role);
        return EditPlan.Of([Changes.PutConstraint(element, WriteMode.Upsert)],
            $"Location constraint {banId} keeps '{id}' off {target}{stays}");
    };

    private static async Task<int> ClearAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        args.TakeFlag("--promoted", "--master");
        args.TakeFlag("--expired");
        var id = args.Take("resource id");
        var node = args.AtEnd ? null : args.Take("node");
        args.EnsureEnd();
        return await ClusterCommand.EditAsync(call, state =>
        {
            var prefer = ConstraintXml.PreferId(id);
            var banPrefix = ConstraintXml.BanId(id, "");
            var matching = state.Constraints.Elements("rsc_location").Where(c =>
            {
                var cid = (string?)c.Attribute("id") ?? "";
                var named = cid == prefer || cid.StartsWith(banPrefix, StringComparison.Ordinal);
                return named && (node is null || (string?)c.Attribute("node") == node);
            }).Select(c => (string)c.Attribute("id")!).ToList();
            return EditPlan.Of([.. matching.Select(Changes.DeleteConstraint)], [.. matching.Select(m => $"Removing constraint: {m}")]);
        }, cancellationToken).ConfigureAwait(false);
    }
}

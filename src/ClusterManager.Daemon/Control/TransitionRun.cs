using System.Collections.Immutable;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;
using ClusterManager.Policy;

namespace ClusterManager.Daemon.Control;

/// <summary>How a transition ended.</summary>
public sealed record TransitionOutcome(int Completed, int Failed, bool Aborted);

/// <summary>
/// One execution of a transition graph (Pacemaker's transitioner): an action starts once every runnable action
/// it waits for has completed; independent actions run in parallel; pseudo actions complete at once. A failed
/// action, or a wake-up of the controller (a newer event), aborts the run: nothing new starts, the actions in
/// flight finish and are recorded, and the controller computes a new transition.
/// </summary>
internal sealed class TransitionRun(Controller controller, Transition transition, long number)
{
    private readonly Dictionary<int, PlannedAction> _actions = transition.Actions.Where(a => a.Runnable).ToDictionary(a => a.Id);
    private readonly HashSet<int> _done = [];
    private readonly HashSet<int> _started = [];
    private int _failed;

    public async Task<TransitionOutcome> RunAsync(CancellationToken token)
    {
        var running = new Dictionary<Task<bool>, PlannedAction>();
        var aborted = false;
        Task<bool>? wake = null;
        while (true)
        {
            if (!aborted)
            {
                foreach (var action in Ready())
                {
                    _started.Add(action.Id);
                    if (action.Kind == ActionKind.Pseudo || action.Kind == ActionKind.Shutdown)
                    {
                        _done.Add(action.Id);
                        continue;
                    }

                    running[ExecuteAsync(action, token)] = action;
                }

                if (Ready().Any())
                {
                    continue;
                }
            }

            if (running.Count == 0)
            {
                break;
            }

            wake ??= controller.WakeSignalled(token).AsTask();
            var finished = await Task.WhenAny(running.Keys.Append(wake)).ConfigureAwait(false);
            if (finished == wake)
            {
                aborted = true;
                wake = Task.FromResult(false);
                continue;
            }

            var completed = (Task<bool>)finished;
            var planned = running[completed];
            running.Remove(completed);
            if (await completed.ConfigureAwait(false))
            {
                _done.Add(planned.Id);
            }
            else
            {
                _failed++;
                aborted = true;
            }
        }

        token.ThrowIfCancellationRequested();
        aborted |= _done.Count < _actions.Count;
        return new TransitionOutcome(_done.Count, _failed, aborted);
    }

    /// <summary>Actions not started whose runnable inputs are all done (inputs that are not runnable never run).</summary>
    private IEnumerable<PlannedAction> Ready() => _actions.Values
        .Where(a => !_started.Contains(a.Id) && a.Inputs.All(i => _done.Contains(i) || !_actions.ContainsKey(i)))
        .OrderBy(a => a.Id)
        .ToList();

    private async Task<bool> ExecuteAsync(PlannedAction action, CancellationToken token)
    {
        try
        {
            return action.Kind switch
            {
                ActionKind.Fence => await FenceAsync(action, token).ConfigureAwait(false),
                ActionKind.ClearFailcount => await ClearFailCountAsync(action, token).ConfigureAwait(false),
                _ when action.Detail is not null && action.Node is not null => await RunOperationAsync(action, action.Detail, action.Node.Value, token).ConfigureAwait(false),
                _ => true,
            };
        }
        catch (Exception e) when (e is not (LeadershipLostException or OperationCanceledException))
        {
            controller.LogActionError(action.Key, action.Node?.Value ?? "", e);
            return false;
        }
    }

    private async Task<bool> RunOperationAsync(PlannedAction action, ActionDetail detail, NodeName node, CancellationToken token)
    {
        var operation = action.Kind switch
        {
            ActionKind.Probe => "monitor",
            ActionKind.Monitor => "monitor",
            ActionKind.Start => "start",
            ActionKind.Stop => "stop",
            ActionKind.Promote => "promote",
            ActionKind.Demote => "demote",
            ActionKind.MigrateTo => "migrate_to",
            ActionKind.MigrateFrom => "migrate_from",
            ActionKind.Reload => Agents.AgentActions.ReloadAgent,
            _ => throw new InvalidOperationException($"action {action.Key} has no operation"),
        };
        var request = new OperationRequest(action.Resource!.Value.Value, detail.HistoryId, detail.Agent, operation, action.Interval, detail.Timeout,
            detail.Parameters, detail.Meta, detail.ExpectedRc, detail.Digest, $"{action.Id}:{number}:{detail.ExpectedRc}:{controller.Self}");
        if (action.Kind is ActionKind.Start or ActionKind.Stop or ActionKind.Promote or ActionKind.Demote or ActionKind.MigrateTo or ActionKind.MigrateFrom)
        {
            // Recorded as pending first, so a new leader knows an outcome is missing and probes it.
            await controller.ProposeAsync([Pending(node, request)], controller.Author, token).ConfigureAwait(false);
        }

        var result = await controller.ExecuteOnAsync(node, request, token).ConfigureAwait(false);
        if (result is null)
        {
            return false;
        }

        var state = controller.State.Status.Nodes.FirstOrDefault(n => n.Name == node);
        var fatal = controller.State.Configuration.Properties.SelectMany(s => s.Pairs).LastOrDefault(p => p.Name == "start-failure-is-fatal")?.Value
            is not { } v || v.ToLowerInvariant() is "true" or "yes" or "on" or "1" or "y";
        await controller.ProposeAsync(OperationRecords.ChangesFor(result, state, fatal), controller.Author, token).ConfigureAwait(false);
        return !result.Failed;
    }

    private static RecordOperation Pending(NodeName node, OperationRequest request)
    {
        var (cls, provider, type) = OperationRecords.SplitAgent(request.Agent);
        var record = new OperationRecord($"{request.HistoryId}_last_0", request.OperationKey, request.Action, -1, 193, -1, request.Interval,
            request.ExpectedRc, request.TransitionKey, null, null, null, request.Digest, node.Value,
            OperationRecords.MigrateSource(request), OperationRecords.MigrateTarget(request), null);
        return new RecordOperation(node, new ResourceHistory(new ResourceId(request.HistoryId), cls, provider, type, null, []), record);
    }

    private async Task<bool> FenceAsync(PlannedAction action, CancellationToken token)
    {
        if (action.Node is not { } target)
        {
            return true;
        }

        // Recorded in the fence history; a confirmed fence also records the node down with its history erased (the
        // proof that nothing runs there any more).
        var fenced = await controller.FenceAndRecordAsync(target, action.FenceAction ?? "reboot", Controller.ControllerClient, token).ConfigureAwait(false);
        return fenced.Succeeded;
    }

    private async Task<bool> ClearFailCountAsync(PlannedAction action, CancellationToken token)
    {
        if (action.Node is not { } node || action.Resource is not { } resource)
        {
            return true;
        }

        var state = controller.State.Status.Nodes.FirstOrDefault(n => n.Name == node);
        var historyId = resource.Value;
        var colon = historyId.IndexOf(':', StringComparison.Ordinal);
        ImmutableArray<ConfigChange> changes = [.. OperationRecords.ClearFailCount(node, state, historyId),
            .. colon > 0 ? OperationRecords.ClearFailCount(node, state, historyId[..colon]) : []];
        await controller.ProposeAsync(changes, controller.Author, token).ConfigureAwait(false);
        return true;
    }
}

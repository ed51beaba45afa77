using System.Collections.Concurrent;

namespace ClusterManager.Agents.Systemd;

/// <summary>
/// The <c>systemd:UNIT</c> class, driven over the D-Bus system bus as Pacemaker does: <c>LoadUnit</c> for every
/// action; a probe that finds the unit stopped, and start, write a runtime drop-in (<c>Restart=no</c>, ordered before the cluster daemon), reloading systemd if
/// the drop-in changed, calls <c>StartUnit(replace)</c> and waits for the job's <c>JobRemoved</c> signal; stop
/// removes the drop-in and does the same with <c>StopUnit</c>; monitor reads <c>ActiveState</c> (activating and
/// deactivating are pending). An unknown unit is "not installed" on start and stopped on stop.
/// </summary>
public sealed class SystemdAgent(SystemdOptions options, TimeProvider timeProvider) : IResourceAgent, IAsyncDisposable
{
    private const string Systemd1 = "org.freedesktop.systemd1";
    private const string ManagerPath = "/org/freedesktop/systemd1";
    private const string Manager = "org.freedesktop.systemd1.Manager";
    private const string DropInName = "50-clustermanager.conf";

    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _jobs = new(StringComparer.Ordinal);
    private DBusConnection? _connection;

    /// <summary>Pacemaker's name mapping: a name without a unit suffix is a service.</summary>
    public static string UnitName(string type) =>
        new[] { ".service", ".socket", ".mount", ".timer", ".path", ".target", ".scope" }.Any(s => type.EndsWith(s, StringComparison.Ordinal))
            ? type
            : type.EndsWith('@') ? type + "pacemaker.service" : type + ".service";

    public async Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetUtcNow();
        var ticks = timeProvider.GetTimestamp();
        AgentResult Result(OcfExitCode rc, string? reason, ExecStatus status = ExecStatus.Done, string output = "") =>
            new(rc, status, reason, output, string.Empty, started, timeProvider.GetElapsedTime(ticks));

        var unit = UnitName(request.Agent.Type);
        using var timeout = new CancellationTokenSource(request.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var token = linked.Token;
        try
        {
            var bus = await ConnectAsync(token).ConfigureAwait(false);
            switch (request.Action)
            {
                case AgentActions.Monitor:
                {
                    var path = await LoadUnitAsync(bus, unit, token).ConfigureAwait(false);
                    var state = await GetUnitPropertyAsync(bus, path, "ActiveState", token).ConfigureAwait(false);
                    if (request.Interval == TimeSpan.Zero && state is "inactive" or "failed"
                        && await GetUnitPropertyAsync(bus, path, "LoadState", token).ConfigureAwait(false) == "loaded"
                        && await WriteDropInAsync(unit, token).ConfigureAwait(false))
                    {
                        // A probe that finds the unit stopped stages the drop-in: a later start (a failover to this
                        // node) then needs no daemon-reload, about 300 ms of the start.
                        await bus.CallAsync(Systemd1, ManagerPath, Manager, "Reload", "", [], token).ConfigureAwait(false);
                    }

                    return state switch
                    {
                        "active" or "reloading" => Result(OcfExitCode.Success, null),
                        "activating" or "deactivating" => Result(OcfExitCode.Unknown, $"{unit} is {state}", ExecStatus.Pending),
                        _ => Result(OcfExitCode.NotRunning, null),
                    };
                }

                case AgentActions.Start:
                {
                    var path = await LoadUnitAsync(bus, unit, token).ConfigureAwait(false);
                    if (await GetUnitPropertyAsync(bus, path, "LoadState", token).ConfigureAwait(false) is not ("loaded" or "masked") and var loadState)
                    {
                        return Result(OcfExitCode.NotInstalled, $"systemd unit {unit} is not installed (LoadState={loadState})", ExecStatus.NotInstalled);
                    }

                    if (await WriteDropInAsync(unit, token).ConfigureAwait(false))
                    {
                        await bus.CallAsync(Systemd1, ManagerPath, Manager, "Reload", "", [], token).ConfigureAwait(false);
                    }

                    var outcome = await RunJobAsync(bus, "StartUnit", unit, token).ConfigureAwait(false);
                    return outcome == "done"
                        ? Result(OcfExitCode.Success, null)
                        : Result(OcfExitCode.GenericError, $"systemd start job for {unit} failed with result '{outcome}'");
                }

                case AgentActions.Stop:
                {
                    if (RemoveDropIn(unit))
                    {
                        await bus.CallAsync(Systemd1, ManagerPath, Manager, "Reload", "", [], token).ConfigureAwait(false);
                    }

                    string outcome;
                    try
                    {
                        outcome = await RunJobAsync(bus, "StopUnit", unit, token).ConfigureAwait(false);
                    }
                    catch (DBusErrorException e) when (IsUnknownUnit(e))
                    {
                        // "An unknown service can be considered stopped" (Pacemaker).
                        return Result(OcfExitCode.Success, null);
                    }

                    return outcome == "done"
                        ? Result(OcfExitCode.Success, null)
                        : Result(OcfExitCode.GenericError, $"systemd stop job for {unit} failed with result '{outcome}'");
                }

                case AgentActions.MetaData:
                {
                    var path = await LoadUnitAsync(bus, unit, token).ConfigureAwait(false);
                    var description = await GetUnitPropertyAsync(bus, path, "Description", token).ConfigureAwait(false);
                    return Result(OcfExitCode.Success, null, output: Metadata(unit, description));
                }

                default:
                    return Result(OcfExitCode.Unimplemented, $"action {request.Action} is not supported for systemd units");
            }
        }
        catch (DBusErrorException e) when (IsUnknownUnit(e))
        {
            return request.Action == AgentActions.Stop
                ? Result(OcfExitCode.Success, null)
                : Result(OcfExitCode.NotInstalled, $"systemd unit {unit}: {e.ErrorMessage}", ExecStatus.NotInstalled);
        }
        catch (DBusErrorException e)
        {
            return Result(OcfExitCode.GenericError, $"systemd refused {request.Action} of {unit}: {e.Message}", ExecStatus.Error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // As Pacemaker, the job is left in systemd's queue; a later stop replaces it.
            return Result(OcfExitCode.GenericError, $"{request.Action} of {unit} did not complete within {request.Timeout.TotalMilliseconds:0} ms",
                ExecStatus.Timeout);
        }
        catch (OperationCanceledException)
        {
            return Result(OcfExitCode.GenericError, "operation cancelled", ExecStatus.Cancelled);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return Result(OcfExitCode.GenericError, $"systemd D-Bus at {options.BusAddress} unavailable: {e.Message}", ExecStatus.NotConnected);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } c)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }

    private static bool IsUnknownUnit(DBusErrorException e) =>
        e.Name is "org.freedesktop.systemd1.NoSuchUnit" or "org.freedesktop.systemd1.LoadFailed"
            or "org.freedesktop.DBus.Error.InvalidArgs" or "org.freedesktop.systemd1.InvalidName";

    private async Task<DBusConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsConnected: true } live)
            {
                return live;
            }

            if (_connection is { } dead)
            {
                await dead.DisposeAsync().ConfigureAwait(false);
            }

            var bus = await DBusConnection.ConnectAsync(options.BusAddress, OnSignal, cancellationToken).ConfigureAwait(false);
            await bus.CallAsync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s",
                [$"type='signal',sender='{Systemd1}',interface='{Manager}',path='{ManagerPath}',member='JobRemoved'"], cancellationToken).ConfigureAwait(false);
            // systemd emits no signals until some client has subscribed.
            await bus.CallAsync(Systemd1, ManagerPath, Manager, "Subscribe", "", [], cancellationToken).ConfigureAwait(false);
            _connection = bus;
            return bus;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private void OnSignal(DBusMessage signal)
    {
        if (signal.Member != "JobRemoved" || signal.Interface != Manager)
        {
            return;
        }

        var reader = signal.Reader();
        reader.ReadUInt32();
        var job = reader.ReadString();
        reader.ReadString();
        var result = reader.ReadString();
        // The signal can overtake the method reply's continuation: whoever comes first creates the entry.
        _jobs.GetOrAdd(job, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(result);
        PruneJobs();
    }

    private void PruneJobs()
    {
        if (_jobs.Count < 256)
        {
            return;
        }

        // Jobs of other clients are recorded too; drop finished ones nobody waits for.
        foreach (var (key, value) in _jobs)
        {
            if (value.Task.IsCompleted)
            {
                _jobs.TryRemove(key, out _);
            }
        }
    }

    private async Task<string> RunJobAsync(DBusConnection bus, string method, string unit, CancellationToken cancellationToken)
    {
        var reply = await bus.CallAsync(Systemd1, ManagerPath, Manager, method, "ss", [unit, "replace"], cancellationToken).ConfigureAwait(false);
        var job = reply.Reader().ReadString();
        var waiter = _jobs.GetOrAdd(job, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _jobs.TryRemove(job, out _);
        }
    }

    private static async Task<string> LoadUnitAsync(DBusConnection bus, string unit, CancellationToken cancellationToken) =>
        (await bus.CallAsync(Systemd1, ManagerPath, Manager, "LoadUnit", "s", [unit], cancellationToken).ConfigureAwait(false)).Reader().ReadString();

    private static async Task<string> GetUnitPropertyAsync(DBusConnection bus, string path, string property, CancellationToken cancellationToken)
    {
        var reply = await bus.CallAsync(Systemd1, path, "org.freedesktop.DBus.Properties", "Get", "ss",
            ["org.freedesktop.systemd1.Unit", property], cancellationToken).ConfigureAwait(false);
        return reply.Reader().ReadVariant() as string ?? string.Empty;
    }

    private string DropInPath(string unit) => Path.Combine(options.DropInDirectory, unit + ".d", DropInName);

    /// <summary>Writes the drop-in; true when its content changed (systemd must reload).</summary>
    private async Task<bool> WriteDropInAsync(string unit, CancellationToken cancellationToken)
    {
        var text = $"""
            [Unit]
            Description=Cluster Controlled {unit}
            Before={options.DaemonUnit}

            """;
        if (unit.EndsWith(".service", StringComparison.Ordinal))
        {
            text += "\n[Service]\nRestart=no\n";
        }

        var path = DropInPath(unit);
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == text)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private bool RemoveDropIn(string unit)
    {
        var path = DropInPath(unit);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        try
        {
            Directory.Delete(Path.GetDirectoryName(path)!);
        }
        catch (IOException)
        {
            // other drop-ins live there
        }

        return true;
    }

    private static string Metadata(string unit, string description) => $"""
        <?xml version="1.0"?>
        <resource-agent name="{System.Security.SecurityElement.Escape(unit)}" version="1.0">
        <version>1.1</version>
        <longdesc lang="en">{System.Security.SecurityElement.Escape(description)}</longdesc>
        <shortdesc lang="en">systemd unit file for {System.Security.SecurityElement.Escape(unit)}</shortdesc>
        <parameters/>
        <actions>
        <action name="start" timeout="100s"/>
        <action name="stop" timeout="100s"/>
        <action name="status" timeout="100s"/>
        <action name="monitor" timeout="100s" interval="60s"/>
        <action name="meta-data" timeout="5s"/>
        </actions>
        </resource-agent>
        """;
}

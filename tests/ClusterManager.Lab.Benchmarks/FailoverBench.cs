using System.Globalization;
using ClusterManager.Lab.Tests;

namespace ClusterManager.Lab.Benchmarks;

/// <summary>
/// One stack in the lab, brought up for the benchmark (<c>lab up --exclusive</c>) and always taken down by
/// <see cref="Dispose"/>: measures failovers, one scenario after another, appending each run to the results file.
/// The virtual IP checker (every node's addresses every 20 ms) and the ARP watch (the bridge, every 10 ms) run for
/// the whole stack; the HTTP probe (every 10 ms) for each run.
/// </summary>
internal sealed class FailoverBench : IDisposable
{
    private static readonly TimeSpan UpLimit = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RebootLimit = TimeSpan.FromMinutes(2);

    /// <summary>How long a partition lasts after another node served (so a second holder, if any, shows).</summary>
    private static readonly TimeSpan PartitionAfterServed = TimeSpan.FromSeconds(2);

    private readonly LabDriver _lab;
    private readonly Stack _stack;
    private readonly BenchOptions _options;
    private readonly TextWriter _log;
    private readonly VirtualIpChecker _checker;
    private readonly ArpWatch _arp;

    private FailoverBench(LabDriver lab, Stack stack, BenchOptions options, TextWriter log, VirtualIpChecker checker, ArpWatch arp)
    {
        _lab = lab;
        _stack = stack;
        _options = options;
        _log = log;
        _checker = checker;
        _arp = arp;
    }

    /// <summary>Brings the lab up with <paramref name="stack"/>; refuses (without touching it) a lab that is already present.</summary>
    public static FailoverBench Start(LabDriver lab, Stack stack, BenchOptions options, TextWriter log)
    {
        log.WriteLine($"failover: lab up ({stack.Name()}) with {lab.Script}");
        var up = lab.Run(UpLimit, stack == Stack.Keepalived ? ["up", "--exclusive", "--keepalived"] : ["up", "--exclusive"]);
        if (up.ExitCode == 3)
        {
            throw new BenchAbortedException($"a lab (or part of one) is already present on this machine; not ours, left alone (lab down removes it)\n{up.Error}");
        }

        VirtualIpChecker? checker = null;
        try
        {
            if (up.ExitCode != 0)
            {
                throw new BenchAbortedException($"lab up failed (exit {up.ExitCode}):\n{up.Output}\n{up.Error}");
            }

            foreach (var property in stack == Stack.Clusterd ? options.Properties : [])
            {
                log.WriteLine($"failover: hactl property set {property}");
                lab.Checked("hactl", "property", "set", property);
            }

            checker = VirtualIpChecker.Start(LabDriver.VirtualIp, LabDriver.Nodes, "cmlab-");
            var arp = ArpWatch.Start(LabDriver.Bridge, LabDriver.HostAddress, LabDriver.VirtualIp);
            return new FailoverBench(lab, stack, options, log, checker, arp);
        }
        catch
        {
            checker?.Dispose();
            Down(lab, log);
            throw;
        }
    }

    /// <summary>Measures the runs of <paramref name="scenario"/> that the results file does not hold yet.</summary>
    public async Task RunScenarioAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var done = ResultFile.Read(_options.OutputDirectory, _stack, scenario).Count;
        for (var run = done + 1; run <= _options.Runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = await MeasureAsync(scenario, run, cancellationToken);
            ResultFile.Append(_options.OutputDirectory, _stack, scenario, record);
            _log.WriteLine($"{_stack.Name()} {scenario.Name()} run {run}/{_options.Runs}: {RunRecord.OutcomeName(record.Outcome)} {record.Holder}->{record.NewHolder ?? "-"} " +
                $"arp {RunRecord.Number(record.Arp)} served {RunRecord.Number(record.Served)} fence-off {RunRecord.Number(record.FenceOff)} " +
                $"vip-added {RunRecord.Number(record.VipAdded)} dual {RunRecord.Number(record.DualSeconds)} load {record.Load:0.0} {record.Note}");
        }
    }

    public void Dispose()
    {
        _arp.Dispose();
        _checker.Dispose();
        Down(_lab, _log);
    }

    private static void Down(LabDriver lab, TextWriter log)
    {
        var down = lab.Run(TimeSpan.FromMinutes(5), "down");
        log.WriteLine(down.ExitCode == 0 ? "failover: lab down" : $"failover: lab down failed (exit {down.ExitCode}):\n{down.Error}");
    }

    private async Task<RunRecord> MeasureAsync(Scenario scenario, int run, CancellationToken cancellationToken)
    {
        var holder = await _lab.WaitSteadyAsync(_stack, _checker, SettleLimit)
            ?? throw new BenchAbortedException($"the lab did not settle (one holder, served, all nodes up) within {SettleLimit}:\n{_lab.Run(TimeSpan.FromMinutes(1), "status").Output}");
        if (scenario == Scenario.FailService)
        {
            // The crash lands at a random point of the 10 s monitor's cycle (the cleanup after the previous run
            // restarted that cycle, and the runs' own rhythm would otherwise always hit the same point of it).
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 10_000)), cancellationToken);
        }

        var mac = LabDriver.Mac(holder);
        var load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        var mark = _checker.Mark();
        var probe = ServingProbe.Start(LabDriver.VirtualIp);
        DateTimeOffset t0;
        Measured measured;
        try
        {
            await Task.Delay(300, cancellationToken); // a few answers from the holder first
            _lab.Checked(scenario.Name(), holder);
            t0 = LabDriver.LastEvent($"{scenario.Name()} {holder}");
            measured = await WaitForServingAsync(scenario, holder, mac, probe, t0, cancellationToken);
            if (scenario == Scenario.Partition)
            {
                await Task.Delay(PartitionAfterServed, cancellationToken);
            }
        }
        finally
        {
            await probe.DisposeAsync();
        }

        var fenceOff = LabDriver.PowerChanges(holder, t0).Where(p => !p.On).Select(p => (DateTimeOffset?)p.At).FirstOrDefault();
        await RecoverAsync(scenario, holder, cancellationToken);
        var heal = scenario == Scenario.Partition ? LabDriver.LastEvent($"heal {holder}") : (DateTimeOffset?)null;

        // Settled again: only now is every second holder (a partitioned keepalived master keeps the address) over.
        var settled = await _lab.WaitSteadyAsync(_stack, _checker, SettleLimit);
        var dual = _checker.DualHoldsSince(mark);
        var vipAdded = measured.NewHolder is { } n && n != holder ? _checker.Taken(n, t0)?.At : null;
        var log = LabDriver.ClusterdLog(t0.AddSeconds(-2));
        KeepLog(scenario, run, t0, log);
        var note = measured.Note;
        if (settled is null)
        {
            note = (note + " not settled after the run").Trim();
        }

        return new RunRecord(
            run,
            t0,
            holder,
            measured.NewHolder,
            measured.Outcome,
            Seconds(measured.Arp, t0),
            Seconds(measured.Served, t0),
            Seconds(fenceOff, t0),
            Seconds(vipAdded, t0),
            dual.Count * VirtualIpChecker.Period.TotalSeconds,
            dual.Count > 0 ? Seconds(dual[0].At, t0) : null,
            dual.Count > 0 && heal is { } h ? Seconds(dual[^1].At, h) : null,
            log.Any(l => l.At > t0 && l.Text.Contains("Controller active on", StringComparison.Ordinal)),
            load,
            note);
    }

    private sealed record Measured(Outcome Outcome, string? NewHolder, DateTimeOffset? Arp, DateTimeOffset? Served, string Note);

    /// <summary>Polls the probe and the ARP watch until the scenario's end point or the run's time limit.</summary>
    private async Task<Measured> WaitForServingAsync(
        Scenario scenario, string holder, System.Net.NetworkInformation.PhysicalAddress mac, ServingProbe probe, DateTimeOffset t0, CancellationToken cancellationToken)
    {
        var deadline = t0 + _options.RunTimeout;
        while (true)
        {
            var results = probe.Results;
            var arp = _arp.FirstAnswer(t0, mac);
            if (scenario == Scenario.FailService)
            {
                // The outage begins with three failed requests in a row (one failure alone may be a request that
                // timed out on the loaded machine; the kill itself lands some 0.1 s after its logged time).
                var failure = Outage(results.Where(r => r.Started >= t0).OrderBy(r => r.Started).ToList());
                var again = failure is null ? null : results.Where(r => r.Node is not null && r.Started > failure.Started).MinBy(r => r.Ended);
                if (again is not null)
                {
                    var moved = again.Node != holder;
                    return _stack == Stack.Keepalived && !moved
                        ? new Measured(Outcome.NotDetected, again.Node, null, again.Ended, "VIP stayed (no track script); haproxy back by systemd Restart=always")
                        : new Measured(Outcome.Ok, again.Node, moved ? arp?.At : null, again.Ended, moved ? "moved" : "restarted in place");
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    return new Measured(Outcome.Timeout, null, null, null, failure is null ? "no failed request seen" : "not served again");
                }
            }
            else
            {
                var served = results.Where(r => r.Ended >= t0 && r.Node is { } n && n != holder).MinBy(r => r.Ended);
                // ARP normally comes first (the address is added, then haproxy starts); allow it a moment more.
                if (served is not null && (arp is not null || DateTimeOffset.UtcNow > served.Ended.AddSeconds(2)))
                {
                    return new Measured(Outcome.Ok, served.Node, arp?.At, served.Ended, arp is null ? "no ARP answer from another MAC seen" : "");
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    return new Measured(Outcome.Timeout, null, arp?.At, null, $"not served by another node within {_options.RunTimeout.TotalSeconds:0} s");
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Back to three healthy nodes: the fenced node rebooted (or started), the partition healed, the failure cleaned up.</summary>
    private async Task RecoverAsync(Scenario scenario, string holder, CancellationToken cancellationToken)
    {
        switch (scenario)
        {
            case Scenario.Partition:
                _lab.Checked("heal", holder);
                break;
            case Scenario.FailService when _stack == Stack.Clusterd:
                // The monitor's failure stays in the fail count (migration-threshold would count it): cleared for the next run.
                await WaitAsync(() => _lab.Run(TimeSpan.FromMinutes(1), "hactl", "resource", "cleanup", "HAProxy").ExitCode == 0, TimeSpan.FromMinutes(1), cancellationToken);
                break;
        }

        if ((scenario == Scenario.Kill && _stack == Stack.Keepalived) || LabDriver.PoweredOff(holder))
        {
            _lab.Checked("start", holder); // no fencing, or a fence that powered it off (stonith-action=off): nobody boots it
        }
        else if (!await WaitAsync(() => LabDriver.ContainerRunning(holder), RebootLimit, cancellationToken))
        {
            _log.WriteLine($"failover: {holder} was not rebooted within {RebootLimit}: lab start {holder}");
            _lab.Checked("start", holder);
        }
    }

    /// <summary>The first of three failed requests in a row (by start time), or null.</summary>
    private static ProbeResult? Outage(IReadOnlyList<ProbeResult> byStart)
    {
        for (var i = 0; i + 2 < byStart.Count; i++)
        {
            if (byStart[i].Node is null && byStart[i + 1].Node is null && byStart[i + 2].Node is null)
            {
                return byStart[i];
            }
        }

        return null;
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + limit;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(250, cancellationToken);
        }

        return true;
    }

    private void KeepLog(Scenario scenario, int run, DateTimeOffset t0, IReadOnlyList<(DateTimeOffset At, string Node, string Text)> log)
    {
        if (_stack != Stack.Clusterd)
        {
            return;
        }

        var directory = Path.Combine(_options.OutputDirectory, "logs");
        Directory.CreateDirectory(directory);
        File.WriteAllLines(
            Path.Combine(directory, $"{_stack.Name()}-{scenario.Name()}-{run:00}.log"),
            [$"# failure at {t0:O}; times relative to it", .. log.Select(l => $"{(l.At - t0).TotalSeconds,8:0.000} {l.Node} {l.Text}")]);
    }

    private static double? Seconds(DateTimeOffset? at, DateTimeOffset t0) => at is { } a ? (a - t0).TotalSeconds : null;
}

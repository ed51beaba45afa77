using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Tests.Cluster;
using System.Runtime.InteropServices;
using Grpc.Core;

// clusterd benchmarks on loopback (3 real processes): committed configuration writes per second through the API
// (1 and 32 clients, to the leader and through a follower, with the CPU time the three nodes spent per commit), the
// time from kill -9 of the leader to a new leader and to the next committed write, and the time a leader cut off
// from both followers (SIGSTOP of the followers: a silent partition) takes to step down. Prints figures; asserts nothing.
// Usage: ClusterManager.Daemon.Benchmarks [--seconds N] [--failovers N] [--only apply|writes|failover|stepdown] [--election LO:HI] [--request-timeout MS]
var seconds = 5;
var failovers = 10;
var timeouts = new Dictionary<string, object>();
var only = "";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds" when i + 1 < args.Length:
            seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--failovers" when i + 1 < args.Length:
            failovers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--only" when i + 1 < args.Length:
            only = args[++i];
            break;
        case "--election" when i + 1 < args.Length:
            var bounds = args[++i].Split(':');
            timeouts["LowerElectionTimeoutMs"] = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            timeouts["UpperElectionTimeoutMs"] = int.Parse(bounds[1], CultureInfo.InvariantCulture);
            break;
        case "--request-timeout" when i + 1 < args.Length:
            timeouts["RequestTimeoutMs"] = int.Parse(args[++i], CultureInfo.InvariantCulture);
            timeouts["ConnectTimeoutMs"] = Math.Min(150, (int)timeouts["RequestTimeoutMs"]);
            break;
        default:
            Console.Error.WriteLine("usage: ClusterManager.Daemon.Benchmarks [--seconds N] [--failovers N] [--only apply|writes|failover|stepdown] [--election LO:HI] [--request-timeout MS]");
            return 2;
    }
}

const int SigStop = 19;
const int SigCont = 18;
var requestCounter = 0L;
var failures = 0L;

ApplyChangesRequest Write(int client)
{
    var n = Interlocked.Increment(ref requestCounter);
    var request = new ApplyChangesRequest { RequestId = $"bench-{Environment.ProcessId}-{n}", Author = "bench" };
    request.Changes.Add(new Change
    {
        SetNodeAttribute = new NodeAttribute { Node = "bench", Name = $"client-{client}", Value = n.ToString(CultureInfo.InvariantCulture) },
    });
    return request;
}

if (only is "" or "apply")
{
    // The pure part alone: decode a batch (as every node does for each entry) and apply it, on a configuration of
    // 50 primitives; no Raft, no network.
    var state = ClusterManager.Daemon.Store.StoreState.Empty;
    for (var r = 0; r < 50; r++)
    {
        var put = new ClusterManager.Daemon.Store.PutResource(
            new ClusterManager.Model.Configuration.PrimitiveConfig(new ClusterManager.Model.ResourceId($"R{r}"), "ocf", "heartbeat", "Dummy", [], [], [], []),
            ClusterManager.Daemon.Store.WriteMode.Create);
        state = ClusterManager.Daemon.Store.StoreApplier.Apply(state, new(
            $"setup-{r}", "bench", DateTimeOffset.UnixEpoch, null, [put]), r + 1).State;
    }

    var sw = Stopwatch.StartNew();
    var applied = 0;
    while (sw.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        var change = new ClusterManager.Daemon.Store.SetNodeAttribute(new ClusterManager.Model.NodeName("bench"), "counter", applied.ToString(CultureInfo.InvariantCulture));
        var bytes = ClusterManager.Daemon.Store.StoreCodec.EncodeBatch(new($"apply-{applied}", "bench", DateTimeOffset.UnixEpoch, null, [change]));
        state = ClusterManager.Daemon.Store.StoreApplier.Apply(state, ClusterManager.Daemon.Store.StoreCodec.DecodeBatch(bytes), 100 + applied).State;
        applied++;
    }

    Console.WriteLine($"pure decode+apply (50 primitives, node attribute change): {applied / sw.Elapsed.TotalSeconds:F0} batches/s on one thread");

    // Operation results at scale: one node's 10,000 probe results, then a start result for each, in batches of 2,000
    // (the controller's group commit), applied to the status without decoding.
    const int historyResources = 10_000, batchSize = 2_000;
    var status = ClusterManager.Model.Status.ClusterStatus.Empty;
    var node = new ClusterManager.Model.NodeName("bench");
    var records = 0;
    var applySw = Stopwatch.StartNew();
    foreach (var (operation, rc) in new[] { ("monitor", 7), ("start", 0) })
    {
        for (var first = 0; first < historyResources; first += batchSize)
        {
            var batch = ImmutableArray.CreateRange(Enumerable.Range(first, batchSize).Select(r =>
                (ClusterManager.Daemon.Store.ConfigChange)new ClusterManager.Daemon.Store.RecordOperation(node,
                    new ClusterManager.Model.Status.ResourceHistory(new ClusterManager.Model.ResourceId($"R{r}"), "ocf", "heartbeat", "Dummy", null, []),
                    new ClusterManager.Model.Status.OperationRecord($"R{r}_last_0", $"R{r}_{operation}_0", operation, r, rc, 0, TimeSpan.Zero, rc,
                        null, 0, 0, null, "d", "bench", null, null, 1))));
            (status, _) = ClusterManager.Daemon.Store.StoreApplier.ApplyStatus(status!, batch);
            records += batchSize;
        }
    }

    Console.WriteLine($"status apply, one node with {historyResources} resources, batches of {batchSize}: {records / applySw.Elapsed.TotalSeconds:F0} operation records/s on one thread");
}

if (only is "" or "writes")
{
    await using var cluster = TestCluster.Start(extra: timeouts);
    var leader = await cluster.WaitForLeaderAsync();
    var follower = Enumerable.Range(0, cluster.Size).First(i => i != leader);
    Console.WriteLine($"clusterd writes, 3 nodes on loopback, {seconds} s per run, {Environment.ProcessorCount} CPUs, load {LoadAverage()}");
    foreach (var (clients, target, label) in new[] { (1, leader, "leader"), (32, leader, "leader"), (1, follower, "follower"), (32, follower, "follower") })
    {
        await RunWritesAsync(cluster, target, clients, TimeSpan.FromSeconds(1), null);
        var stats = new List<double>();
        var cpuBefore = NodesCpu(cluster);
        var count = await RunWritesAsync(cluster, target, clients, TimeSpan.FromSeconds(seconds), stats);
        var cpu = NodesCpu(cluster) - cpuBefore;
        stats.Sort();

        // Group commit: how many batches shared a log entry, over the last (up to 1,000) history entries.
        var history = (await cluster.Client(target).GetHistoryAsync(new GetHistoryRequest(), deadline: DateTime.UtcNow.AddSeconds(30))).Entries;
        var perEntry = history.Count / (double)Math.Max(1, history.Select(h => h.Index).Distinct().Count());
        Console.WriteLine($"  {clients,2} client(s) -> {label,-8}: {count / (double)seconds,8:F0} commits/s   p50 {Pct(stats, 0.50):F2} ms  p99 {Pct(stats, 0.99):F2} ms  nodes' CPU {cpu.TotalMilliseconds * 1000 / Math.Max(1, count),5:F0} us/commit  batches/entry {perEntry:F1}  failed writes {Interlocked.Exchange(ref failures, 0)}  load {LoadAverage()}");
    }

    // After the runs (the first seconds of a process are spent compiling): what the nodes use with nothing to do.
    var idleBefore = NodesCpu(cluster);
    await Task.Delay(TimeSpan.FromSeconds(3));
    Console.WriteLine($"  idle after the runs: the three nodes use {(NodesCpu(cluster) - idleBefore).TotalMilliseconds / 3:F0} ms of CPU per second");
    Console.WriteLine($"  log lines per node: {string.Join(", ", Enumerable.Range(0, cluster.Size).Select(i => cluster.Log(i).Split('\n').Length))}");
    if (Environment.GetEnvironmentVariable("CM_BENCH_LOGS") is { Length: > 0 } logDir)
    {
        for (var i = 0; i < cluster.Size; i++)
        {
            File.WriteAllText(Path.Combine(logDir, $"{TestCluster.NodeName(i)}.log"), cluster.Log(i));
        }
    }

    foreach (var line in cluster.Log(leader).Split('\n').GroupBy(l => string.Join(' ', l.Split(' ').Take(4))).OrderByDescending(g => g.Count()).Take(4))
    {
        Console.WriteLine($"    {line.Count(),6} x {line.Key}");
    }
}

if (only is "" or "failover")
{
    await using var cluster = TestCluster.Start(extra: timeouts);
    Console.WriteLine($"failover after kill -9 of the leader, {failovers} runs (ms from the kill), load {LoadAverage()}, options {string.Join(' ', timeouts.Select(t => $"{t.Key}={t.Value}"))}");
    var elections = new List<double>();
    var commits = new List<double>();
    for (var run = 0; run < failovers; run++)
    {
        var leader = await cluster.WaitForLeaderAsync();
        await cluster.Client(leader).ApplyChangesAsync(Write(0), deadline: DateTime.UtcNow.AddSeconds(30));
        var survivors = Enumerable.Range(0, cluster.Size).Where(i => i != leader).ToArray();
        var clock = Stopwatch.StartNew();
        cluster.Kill(leader);
        var electedTask = WaitNewLeaderAsync(cluster, survivors, TestCluster.NodeName(leader), clock);
        var committedTask = FirstCommitAsync(cluster, survivors, clock);
        var elected = await electedTask;
        var committed = await committedTask;
        elections.Add(elected);
        commits.Add(committed);
        Console.WriteLine($"  run {run + 1,2}: new leader {elected,6:F0}   first commit {committed,6:F0}");
        cluster.StartNode(leader);
        await cluster.WaitForLeaderAsync();
    }

    elections.Sort();
    commits.Sort();
    Console.WriteLine($"  new leader:   min {elections[0]:F0} median {Pct(elections, 0.5):F0} max {elections[^1]:F0} ms");
    Console.WriteLine($"  first commit: min {commits[0]:F0} median {Pct(commits, 0.5):F0} max {commits[^1]:F0} ms");
}

if (only is "" or "stepdown")
{
    // A silent partition of the leader: both followers are frozen (SIGSTOP), so the leader's connections stay open
    // but nothing answers. Measured from the cut until the old leader's API reports no quorum (its leadership token
    // was cancelled), and until a write sent to it at the cut fails (outcome unknown: it may commit after the heal).
    await using var cluster = TestCluster.Start(extra: timeouts);
    Console.WriteLine($"step-down of a leader cut off from both followers (SIGSTOP), {failovers} runs (ms from the cut), load {LoadAverage()}, options {string.Join(' ', timeouts.Select(t => $"{t.Key}={t.Value}"))}");
    var stepDowns = new List<double>();
    var failedWrites = new List<double>();
    for (var run = 0; run < failovers; run++)
    {
        var leader = await cluster.WaitForLeaderAsync();
        await cluster.Client(leader).ApplyChangesAsync(Write(0), deadline: DateTime.UtcNow.AddSeconds(30));
        var followers = Enumerable.Range(0, cluster.Size).Where(i => i != leader).Select(i => cluster.Pid(i)!.Value).ToArray();
        var client = cluster.Client(leader);
        var clock = Stopwatch.StartNew();
        foreach (var pid in followers)
        {
            _ = Kill(pid, SigStop);
        }

        try
        {
            var write = WriteFailsAsync(client, Write(0), clock);
            var stepDown = double.NaN;
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (await cluster.TryStatusAsync(leader) is { } status && (!status.HasQuorum || status.Leader != TestCluster.NodeName(leader)))
                {
                    stepDown = clock.Elapsed.TotalMilliseconds;
                    break;
                }

                await Task.Delay(2);
            }

            var failed = await write;
            stepDowns.Add(stepDown);
            failedWrites.Add(failed);
            Console.WriteLine($"  run {run + 1,2}: no quorum reported {stepDown,6:F0}   write to it failed {failed,6:F0}");
        }
        finally
        {
            foreach (var pid in followers)
            {
                _ = Kill(pid, SigCont);
            }
        }

        var healthy = await cluster.WaitForLeaderAsync();
        await cluster.Client(healthy).ApplyChangesAsync(Write(0), deadline: DateTime.UtcNow.AddSeconds(30));
    }

    stepDowns.Sort();
    failedWrites.Sort();
    Console.WriteLine($"  no quorum reported: min {stepDowns[0]:F0} median {Pct(stepDowns, 0.5):F0} p99 {Pct(stepDowns, 0.99):F0} max {stepDowns[^1]:F0} ms");
    Console.WriteLine($"  write failed:       min {failedWrites[0]:F0} median {Pct(failedWrites, 0.5):F0} p99 {Pct(failedWrites, 0.99):F0} max {failedWrites[^1]:F0} ms");
}

return 0;

static async Task<double> WriteFailsAsync(ClusterService.ClusterServiceClient client, ApplyChangesRequest request, Stopwatch clock)
{
    try
    {
        await client.ApplyChangesAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
        return double.NaN;
    }
    catch (RpcException)
    {
        return clock.Elapsed.TotalMilliseconds;
    }
}

static TimeSpan NodesCpu(TestCluster cluster)
{
    var total = TimeSpan.Zero;
    for (var i = 0; i < cluster.Size; i++)
    {
        if (cluster.Pid(i) is { } pid)
        {
            using var process = Process.GetProcessById(pid);
            total += process.TotalProcessorTime;
        }
    }

    return total;
}

[DllImport("libc", EntryPoint = "kill", SetLastError = true)]
static extern int Kill(int pid, int signal);

async Task<long> RunWritesAsync(TestCluster cluster, int target, int clients, TimeSpan duration, List<double>? latencies)
{
    using var stop = new CancellationTokenSource(duration);
    var channels = Enumerable.Range(0, Math.Min(clients, 4)).Select(_ => cluster.Client(target)).ToArray();
    var total = 0L;
    var tasks = Enumerable.Range(0, clients).Select(async c =>
    {
        var client = channels[c % channels.Length];
        var mine = new List<double>();
        var sw = new Stopwatch();
        while (!stop.IsCancellationRequested)
        {
            sw.Restart();
            try
            {
                await client.ApplyChangesAsync(Write(c), deadline: DateTime.UtcNow.AddSeconds(30));
                mine.Add(sw.Elapsed.TotalMilliseconds);
                Interlocked.Increment(ref total);
            }
            catch (RpcException ex)
            {
                // A leader change under load (counted, not fatal): the figure is committed writes.
                if (Interlocked.Increment(ref failures) == 1)
                {
                    Console.WriteLine($"  first failed write: {ex.StatusCode} {ex.Status.Detail}");
                }
            }
        }

        if (latencies is not null)
        {
            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        }
    });
    await Task.WhenAll(tasks);
    return total;
}

static async Task<double> WaitNewLeaderAsync(TestCluster cluster, int[] survivors, string old, Stopwatch clock)
{
    while (true)
    {
        foreach (var s in survivors)
        {
            if (await cluster.TryStatusAsync(s) is { HasQuorum: true } status && status.Leader != "" && status.Leader != old)
            {
                return clock.Elapsed.TotalMilliseconds;
            }
        }

        await Task.Delay(5);
    }
}

async Task<double> FirstCommitAsync(TestCluster cluster, int[] survivors, Stopwatch clock)
{
    var request = Write(0);
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            await cluster.Client(survivors[attempt % survivors.Length]).ApplyChangesAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
            return clock.Elapsed.TotalMilliseconds;
        }
        catch (RpcException)
        {
            await Task.Delay(5);
        }
    }
}

static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ClusterManager.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterManager.Daemon.Tests.Cluster;

/// <summary>
/// Real clusterd processes on loopback: random free ports, one temporary data directory per node, kill -9 and
/// restart. The one harness of the daemon's tests, hactl's tests and the daemon's benchmarks (linked into the other
/// two; each project supplies <see cref="OnDisposingAsync"/>, the tests print the node logs of a failed test).
/// Dispose kills every process it started and deletes the directory, also when a test failed.
/// </summary>
internal sealed partial class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);
    private readonly string _root;
    private readonly Process?[] _processes;
    private readonly GrpcChannel[] _channels;
    private readonly StringBuilder[] _logs;
    private readonly IReadOnlyList<string> _configs;

    private TestCluster(string root, IReadOnlyList<string> configs)
    {
        Size = configs.Count;
        _root = root;
        _configs = configs;
        _processes = new Process?[Size];
        _logs = [.. Enumerable.Range(0, Size).Select(_ => new StringBuilder())];
        _channels = [];
        ApiEndpoints = [];
    }

    private TestCluster(
        int size,
        IReadOnlyDictionary<string, object> extra,
        Func<int, string, IReadOnlyDictionary<string, object>>? perNode,
        Func<string, GrpcChannel>? channels,
        IReadOnlySet<int>? witnesses)
    {
        Size = size;
        _root = Directory.CreateTempSubdirectory("cmt-daemon-").FullName;
        _configs = [.. Enumerable.Range(0, size).Select(i => Path.Combine(_root, $"{NodeName(i)}.json"))];
        _processes = new Process?[size];
        _logs = [.. Enumerable.Range(0, size).Select(_ => new StringBuilder())];
        var ports = FreePorts(2 * size);
        var nodes = Enumerable.Range(0, size).Select(i => new
        {
            Name = NodeName(i),
            RaftEndpoint = $"127.0.0.1:{ports[2 * i]}",
            ApiEndpoint = $"127.0.0.1:{ports[(2 * i) + 1]}",
            Witness = witnesses?.Contains(i) == true,
        }).ToArray();
        for (var i = 0; i < size; i++)
        {
            var options = new Dictionary<string, object>(extra)
            {
                ["NodeName"] = NodeName(i),
                ["DataDirectory"] = Path.Combine(_root, NodeName(i)),
                ["Nodes"] = nodes,
            };
            foreach (var (key, value) in perNode?.Invoke(i, _root) ?? new Dictionary<string, object>())
            {
                options[key] = value;
            }

            File.WriteAllText(ConfigPath(i), JsonSerializer.Serialize(new Dictionary<string, object> { ["Clusterd"] = options }));
        }

        _channels = [.. nodes.Select(n => channels?.Invoke(n.ApiEndpoint) ?? GrpcChannel.ForAddress($"http://{n.ApiEndpoint}"))];
        ApiEndpoints = [.. nodes.Select(n => n.ApiEndpoint)];
    }

    public int Size { get; }

    /// <summary>The API endpoint (<c>IP:port</c>) of each node.</summary>
    public IReadOnlyList<string> ApiEndpoints { get; }

    /// <summary>The temporary directory of this cluster (removed on dispose).</summary>
    public string Root => _root;

    public static string NodeName(int i) => $"n{i + 1}";

    /// <summary>
    /// Starts <paramref name="size"/> nodes. <paramref name="extra"/> are further Clusterd options for every node,
    /// <paramref name="perNode"/> per node (given the node index and the cluster's directory);
    /// <paramref name="channels"/> opens the test's API channel to an endpoint (default: cleartext HTTP/2).
    /// </summary>
    public static TestCluster Start(
        int size = 3,
        IReadOnlyDictionary<string, object>? extra = null,
        Func<int, string, IReadOnlyDictionary<string, object>>? perNode = null,
        Func<string, GrpcChannel>? channels = null,
        IReadOnlySet<int>? witnesses = null)
    {
        var cluster = new TestCluster(size, extra ?? new Dictionary<string, object>(), perNode, channels, witnesses);
        for (var i = 0; i < size; i++)
        {
            cluster.StartNode(i);
        }

        return cluster;
    }

    /// <summary>
    /// Starts clusterd with the given configuration files (e.g. written by hactl cluster setup); <paramref name="root"/>
    /// is removed on dispose. There is no test channel (<see cref="Client"/>, <see cref="ApiEndpoints"/>): the caller
    /// talks to the nodes with its own client.
    /// </summary>
    public static TestCluster StartWithConfigs(string root, IReadOnlyList<string> configs)
    {
        var cluster = new TestCluster(root, configs);
        for (var i = 0; i < cluster.Size; i++)
        {
            cluster.StartNode(i);
        }

        return cluster;
    }

    /// <summary>
    /// A <c>perNode</c> hook for <see cref="Start"/>: each node's agents keep their runtime state (HA_RSCTMP) in their
    /// own directory <c>ROOT/NODE-rsc</c>, so a Dummy resource started "on n1" is not seen running on n2 although all
    /// nodes share this machine.
    /// </summary>
    public static IReadOnlyDictionary<string, object> OwnResourceDirectory(int i, string root)
    {
        var directory = ResourceDirectory(root, i);
        Directory.CreateDirectory(directory);
        return new Dictionary<string, object> { ["Resources"] = new Dictionary<string, object> { ["ResourceTempDirectory"] = directory } };
    }

    /// <summary>Node <paramref name="i"/>'s agent runtime directory under <see cref="OwnResourceDirectory"/>.</summary>
    public static string ResourceDirectory(string root, int i) => Path.Combine(root, $"{NodeName(i)}-rsc");

    /// <summary>Free loopback ports (e.g. two per node, Raft and API, for a configuration written by the test).</summary>
    public static int[] FreeLoopbackPorts(int count) => FreePorts(count);

    public ClusterService.ClusterServiceClient Client(int i) => new(_channels[i]);

    public void StartNode(int i)
    {
        if (_processes[i] is { HasExited: false })
        {
            throw new InvalidOperationException($"node {NodeName(i)} is running");
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "clusterd.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(ConfigPath(i));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start clusterd");
        var log = _logs[i];
        log.AppendLine($"--- start {NodeName(i)} pid {process.Id}");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[i] = process;
    }

    /// <summary>kill -9 of node <paramref name="i"/>, waiting until it is gone.</summary>
    public void Kill(int i)
    {
        if (_processes[i] is { } p)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }

            _logs[i].AppendLine($"--- killed {NodeName(i)}");
            p.Dispose();
            _processes[i] = null;
        }
    }

    /// <summary>The process id of node <paramref name="i"/>, null when it is not running.</summary>
    public int? Pid(int i) => _processes[i] is { HasExited: false } p ? p.Id : null;

    public bool IsRunning(int i) => _processes[i] is { HasExited: false };

    /// <summary>
    /// Restarts every node that exited by itself (as systemd's Restart=always would: clusterd exits 75 when its
    /// log broke); returns how many were restarted.
    /// </summary>
    public int RestartExited()
    {
        var restarted = 0;
        for (var i = 0; i < Size; i++)
        {
            if (_processes[i] is { HasExited: true } p)
            {
                _logs[i].AppendLine($"--- {NodeName(i)} exited with {p.ExitCode}; restarting");
                p.Dispose();
                _processes[i] = null;
                StartNode(i);
                restarted++;
            }
        }

        return restarted;
    }

    /// <summary>Everything node <paramref name="i"/> logged so far (all its runs).</summary>
    public string Log(int i)
    {
        lock (_logs[i])
        {
            return _logs[i].ToString();
        }
    }

    /// <summary>Polls the running nodes until they all name the same leader with quorum; returns its index.</summary>
    public async Task<int> WaitForLeaderAsync()
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            var statuses = new List<GetStatusResponse>();
            for (var i = 0; i < Size; i++)
            {
                if (IsRunning(i) && await TryStatusAsync(i) is { } s)
                {
                    statuses.Add(s);
                }
            }

            var running = Enumerable.Range(0, Size).Count(IsRunning);
            if (statuses.Count == running && statuses.All(s => s.HasQuorum && s.Leader != "" && s.Leader == statuses[0].Leader))
            {
                var leader = int.Parse(statuses[0].Leader[1..], System.Globalization.CultureInfo.InvariantCulture) - 1;
                if (IsRunning(leader))
                {
                    return leader;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no agreed leader within {WaitLimit}\n{Logs()}");
    }

    /// <summary>Polls node <paramref name="i"/> until its store reaches <paramref name="epoch"/>; returns its configuration.</summary>
    public async Task<GetConfigurationResponse> WaitForEpochAsync(int i, long epoch)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var config = await Client(i).GetConfigurationAsync(new GetConfigurationRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                if (config.Epoch >= epoch)
                {
                    return config;
                }
            }
            catch (RpcException)
            {
                // Not up yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{NodeName(i)} did not reach epoch {epoch} within {WaitLimit}\n{Logs()}");
    }

    public async Task<GetStatusResponse?> TryStatusAsync(int i)
    {
        try
        {
            return await Client(i).GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
        }
        catch (RpcException)
        {
            return null;
        }
    }

    public string Logs()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Size; i++)
        {
            lock (_logs[i])
            {
                var text = _logs[i].ToString();
                sb.AppendLine($"===== {NodeName(i)} (last 4000 chars)").AppendLine(text.Length > 4000 ? text[^4000..] : text);
            }
        }

        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Size; i++)
        {
            Kill(i);
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await OnDisposingAsync();

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp directory is cleaned by the OS eventually.
        }
    }

    /// <summary>Hook for the test project (prints the node logs of a failed test).</summary>
    private partial Task OnDisposingAsync();

    /// <summary>Node <paramref name="i"/>'s clusterd.json.</summary>
    public string ConfigPath(int i) => _configs[i];

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}

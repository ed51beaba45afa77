using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ClusterManager.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;
using NUnit.Framework.Interfaces;

namespace ClusterManager.Cli.Tests.Cluster;

/// <summary>
/// Real clusterd processes on loopback (copied from the daemon's tests and trimmed): random free ports, one temporary
/// directory per node for data and the agents' runtime state (so a Dummy resource started "on n1" is not seen
/// running on n2, although all nodes share this machine). Dispose kills every process it started and deletes the
/// directory, also when a test failed (then the node logs are printed).
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
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

    private TestCluster(int size)
    {
        Size = size;
        _root = Directory.CreateTempSubdirectory("cmt-cli-").FullName;
        _configs = [.. Enumerable.Range(0, size).Select(i => Path.Combine(_root, $"{NodeName(i)}.json"))];
        _processes = new Process?[size];
        _logs = [.. Enumerable.Range(0, size).Select(_ => new StringBuilder())];
        var ports = FreePorts(2 * size);
        var nodes = Enumerable.Range(0, size).Select(i => new
        {
            Name = NodeName(i),
            RaftEndpoint = $"127.0.0.1:{ports[2 * i]}",
            ApiEndpoint = $"127.0.0.1:{ports[(2 * i) + 1]}",
        }).ToArray();
        for (var i = 0; i < size; i++)
        {
            var options = new Dictionary<string, object>
            {
                ["NodeName"] = NodeName(i),
                ["DataDirectory"] = Path.Combine(_root, NodeName(i)),
                ["Nodes"] = nodes,
                ["Resources"] = new Dictionary<string, object> { ["ResourceTempDirectory"] = Path.Combine(_root, NodeName(i) + "-rsctmp") },
            };
            File.WriteAllText(ConfigPath(i), JsonSerializer.Serialize(new Dictionary<string, object> { ["Clusterd"] = options }));
        }

        _channels = [.. nodes.Select(n => GrpcChannel.ForAddress($"http://{n.ApiEndpoint}"))];
        ApiEndpoints = [.. nodes.Select(n => n.ApiEndpoint)];
    }

    public int Size { get; }

    /// <summary>The API endpoint (<c>IP:port</c>) of each node.</summary>
    public IReadOnlyList<string> ApiEndpoints { get; }

    public static string NodeName(int i) => $"n{i + 1}";

    /// <summary>Starts <paramref name="size"/> nodes.</summary>
    public static TestCluster Start(int size = 3)
    {
        var cluster = new TestCluster(size);
        for (var i = 0; i < size; i++)
        {
            cluster.StartNode(i);
        }

        return cluster;
    }

    /// <summary>
    /// Starts clusterd with the given configuration files (e.g. written by hactl cluster setup); <paramref name="root"/>
    /// is removed on dispose. There is no test channel: the caller talks to the nodes with hactl.
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

    /// <summary>Two free loopback ports per node (Raft, API).</summary>
    public static int[] FreeLoopbackPorts(int count) => FreePorts(count);

    public ClusterService.ClusterServiceClient Client(int i) => new(_channels[i]);

    private void StartNode(int i)
    {
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

    /// <summary>Polls the nodes until they all name the same leader with quorum; returns its index.</summary>
    public async Task<int> WaitForLeaderAsync()
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            var statuses = new List<GetStatusResponse>();
            for (var i = 0; i < Size; i++)
            {
                try
                {
                    statuses.Add(await Client(i).GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2)));
                }
                catch (RpcException)
                {
                    // Not up yet.
                }
            }

            if (statuses.Count == Size && statuses.All(s => s.HasQuorum && s.Leader != "" && s.Leader == statuses[0].Leader))
            {
                return int.Parse(statuses[0].Leader[1..], System.Globalization.CultureInfo.InvariantCulture) - 1;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no agreed leader within {WaitLimit}\n{Logs()}");
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
            if (_processes[i] is { } p)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync();
                }

                p.Dispose();
                _processes[i] = null;
            }
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync(Logs());
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp directory is cleaned by the OS eventually.
        }
    }

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

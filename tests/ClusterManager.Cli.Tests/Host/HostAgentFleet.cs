using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NUnit.Framework.Interfaces;

namespace ClusterManager.Cli.Tests.Host;

/// <summary>
/// Real host agents (<c>dotnet clusterd.dll host</c>) on loopback, one per node, each with a random free port and its
/// own state, configuration and data directories under one temporary directory, controlling clusterd as a child
/// process (ServiceManager=process). Dispose kills every agent with its clusterd and deletes the directory, also
/// when a test failed (then the agents' logs, which include their clusterd's, are printed).
/// </summary>
internal sealed class HostAgentFleet : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private readonly Process?[] _processes;
    private readonly StringBuilder[] _logs;

    private HostAgentFleet(int size)
    {
        Root = Directory.CreateTempSubdirectory("cmt-host-").FullName;
        Ports = FreePorts(size);
        _processes = new Process?[size];
        _logs = [.. Enumerable.Range(0, size).Select(_ => new StringBuilder())];
    }

    public string Root { get; }

    /// <summary>Each agent's port.</summary>
    public IReadOnlyList<int> Ports { get; }

    public int Size => Ports.Count;

    public static string NodeName(int i) => $"n{i + 1}";

    /// <summary>Starts <paramref name="size"/> agents and waits until each accepts connections.</summary>
    public static async Task<HostAgentFleet> StartAsync(int size)
    {
        var fleet = new HostAgentFleet(size);
        try
        {
            for (var i = 0; i < size; i++)
            {
                fleet.Start(i);
            }

            for (var i = 0; i < size; i++)
            {
                await fleet.WaitListeningAsync(i);
            }

            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Node <paramref name="i"/>'s configuration directory (where a pushed clusterd.json lands).</summary>
    public string ConfigDirectory(int i) => Path.Combine(Root, NodeName(i), "etc");

    public string DataDirectory(int i) => Path.Combine(Root, NodeName(i), "data");

    public string Logs()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Size; i++)
        {
            lock (_logs[i])
            {
                var text = _logs[i].ToString();
                sb.AppendLine($"===== agent {NodeName(i)} (last 6000 chars)").AppendLine(text.Length > 6000 ? text[^6000..] : text);
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

        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync(Logs());
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp directory is cleaned by the OS eventually.
        }
    }

    private void Start(int i)
    {
        var node = Path.Combine(Root, NodeName(i));
        var config = Path.Combine(Root, $"{NodeName(i)}-host.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            Host = new
            {
                Port = Ports[i],
                ListenAddress = "127.0.0.1",
                StateDirectory = Path.Combine(node, "state"),
                ConfigDirectory = ConfigDirectory(i),
                ClusterdDataDirectory = DataDirectory(i),
                ClusterdLogDirectory = "",
                ClusterdResourceTempDirectory = Path.Combine(node, "rsctmp"),
                ServiceManager = "process",
            },
        }));
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clusterd.dll"));
        psi.ArgumentList.Add("host");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the host agent");
        var log = _logs[i];
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[i] = process;
    }

    private async Task WaitListeningAsync(int i)
    {
        var deadline = DateTime.UtcNow + StartLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (_processes[i] is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"agent {NodeName(i)} exited with {exited.ExitCode}\n{Logs()}");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Ports[i]);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"agent {NodeName(i)} does not listen on port {Ports[i]} after {StartLimit}\n{Logs()}");
    }

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

    /// <summary>Free loopback ports (bound at once so they differ, then released).</summary>
    public static int[] FreePorts(int count) => ClusterManager.Daemon.Tests.Cluster.TestCluster.FreeLoopbackPorts(count);
}

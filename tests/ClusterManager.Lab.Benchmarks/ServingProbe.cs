using System.Net;
using ClusterManager.Lab.Tests;

namespace ClusterManager.Lab.Benchmarks;

/// <summary>One HTTP request through the virtual IP: when it started and ended, and who answered (null: nobody).</summary>
internal sealed record ProbeResult(DateTimeOffset Started, DateTimeOffset Ended, string? Node);

/// <summary>
/// Starts an HTTP request through the virtual IP every <see cref="Period"/> on a new connection (each with its own
/// timeout, so a request stuck on a dead MAC does not hide the next ones) until <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class ServingProbe : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);

    private readonly IPAddress _address;
    private readonly List<ProbeResult> _results = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ServingProbe(IPAddress address)
    {
        _address = address;
        _loop = Task.Run(LoopAsync);
    }

    public static ServingProbe Start(IPAddress address) => new(address);

    public IReadOnlyList<ProbeResult> Results
    {
        get
        {
            lock (_gate)
            {
                return [.. _results];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var running = new List<Task>();
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                running.RemoveAll(t => t.IsCompleted);
                if (running.Count < 100)
                {
                    running.Add(ProbeAsync());
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await Task.WhenAll(running);
    }

    private async Task ProbeAsync()
    {
        var started = DateTimeOffset.UtcNow;
        var answer = await HttpProbe.GetAsync(_address, Timeout, CancellationToken.None);
        var result = new ProbeResult(started, DateTimeOffset.UtcNow, answer is { Status: 200 } ? answer.Node ?? "?" : null);
        lock (_gate)
        {
            _results.Add(result);
        }
    }
}

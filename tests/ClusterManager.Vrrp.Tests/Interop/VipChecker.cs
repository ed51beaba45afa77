using System.Diagnostics;

namespace ClusterManager.Vrrp.Tests.Interop;

/// <summary>
/// Samples both nodes' addresses in the background and records every period in which both held the VIP. A node
/// can be excluded while it is known dead (a crashed VRRP daemon leaves its address configured: that is expected).
/// </summary>
internal sealed class VipChecker : IDisposable
{
    private readonly NetnsLab _lab;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool[] _ignored = new bool[3];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan Start, TimeSpan End)> _overlaps = [];
    private TimeSpan? _overlapStart;
    private TimeSpan _lastSample;

    public VipChecker(NetnsLab lab)
    {
        _lab = lab;
        _loop = Task.Run(LoopAsync);
    }

    public int Samples { get; private set; }

    public void Ignore(int node) => Volatile.Write(ref _ignored[node], true);

    public void Watch(int node) => Volatile.Write(ref _ignored[node], false);

    /// <summary>Stops sampling and returns the longest dual-holding period seen.</summary>
    public TimeSpan StopAndLongestOverlap()
    {
        _stop.Cancel();
        _loop.Wait();
        lock (_overlaps)
        {
            if (_overlapStart is not null)
            {
                _overlaps.Add((_overlapStart.Value, _lastSample));
            }

            return _overlaps.Count == 0 ? TimeSpan.Zero : _overlaps.Max(o => o.End - o.Start);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            // A node counts only if it was watched for the whole sample (before and after reading its addresses).
            var ignored = Volatile.Read(ref _ignored[1]) || Volatile.Read(ref _ignored[2]);
            var at = _clock.Elapsed;
            var both = _lab.HasVip(1) && _lab.HasVip(2);
            ignored |= Volatile.Read(ref _ignored[1]) || Volatile.Read(ref _ignored[2]);
            both &= !ignored;
            lock (_overlaps)
            {
                Samples++;
                if (both)
                {
                    _overlapStart ??= at;
                }
                else if (_overlapStart is not null)
                {
                    _overlaps.Add((_overlapStart.Value, at));
                    _overlapStart = null;
                }

                _lastSample = at;
            }

            try
            {
                await Task.Delay(10, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

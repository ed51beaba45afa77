using System.Collections.Concurrent;
using System.Collections.Immutable;
using ClusterManager.Fencing.Agents;
using ClusterManager.Model;
using Microsoft.Extensions.Logging;

namespace ClusterManager.Fencing;

/// <summary>
/// Pacemaker's fencer semantics over the fence-agent standard: device eligibility by <c>pcmk_host_check</c>,
/// topology levels (all devices of a level, next level on failure), <c>pcmk_delay_base/max</c>, per-action
/// timeouts and retries, a reboot on a multi-device level done as all-off then all-on. Only an agent's exit 0
/// for off/reboot confirms a fence. One action at a time per device (<c>pcmk_action_limit=1</c>).
/// </summary>
public sealed partial class Fencer : IFencer
{
    private readonly IFenceAgentRunner _runner;
    private readonly FencerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly ConcurrentDictionary<ResourceId, SemaphoreSlim> _deviceLocks = new();
    private volatile FencingConfiguration _configuration;

    public Fencer(
        FencingConfiguration configuration,
        IFenceAgentRunner runner,
        FencerOptions options,
        TimeProvider time,
        ILogger<Fencer> logger,
        Random? random = null)
    {
        _configuration = FencingConfiguration.Validate(configuration);
        _runner = runner;
        _options = options;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
    }

    /// <summary>The configuration in use.</summary>
    public FencingConfiguration Configuration => _configuration;

    /// <summary>Replaces the configuration (a new committed cluster configuration). Running operations keep theirs.</summary>
    public void Configure(FencingConfiguration configuration)
    {
        _configuration = FencingConfiguration.Validate(configuration);
        _listCache.Clear();
    }

    public async Task<FenceResult> FenceAsync(NodeName target, FenceAction action, CancellationToken cancellationToken)
    {
        var configuration = _configuration;
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var attempts = ImmutableArray.CreateBuilder<FenceAttempt>();
        LogFenceRequested(_logger, target.Value, action);

        FenceResult Finish(bool ok, string message, ImmutableArray<ResourceId> confirmedBy = default, int? level = null)
        {
            var result = new FenceResult(target, action, ok, message, attempts.ToImmutable(), startedAt, _time.GetElapsedTime(started))
            {
                ConfirmedBy = confirmedBy.IsDefault ? [] : confirmedBy,
                SucceededLevel = level,
            };
            if (ok)
            {
                LogFenceSucceeded(_logger, target.Value, action, message);
            }
            else
            {
                LogFenceFailed(_logger, target.Value, action, message);
            }

            return result;
        }

        var levels = FenceTopology.LevelsFor(target, configuration);
        if (!levels.IsEmpty)
        {
            var failures = new List<string>();
            foreach (var level in levels)
            {
                var devices = level.Devices.Select(configuration.Device).OfType<FenceDevice>().ToImmutableArray();
                var (ok, why) = await RunLevelAsync(level.Index, devices, target, action, configuration, attempts, cancellationToken)
                    .ConfigureAwait(false);
                if (ok)
                {
                    return Finish(true, $"fenced by level {level.Index} ({string.Join(", ", level.Devices)})", level.Devices, level.Index);
                }

                failures.Add($"level {level.Index}: {why}");
                LogLevelFailed(_logger, target.Value, level.Index, why);
            }

            return Finish(false, $"all {levels.Length} fencing levels failed for {target}: {string.Join("; ", failures)}");
        }

        var capable = (await QueryDevicesAsync(target, configuration, cancellationToken).ConfigureAwait(false))
            .Where(c => c.CanFence)
            .Select(c => configuration.Device(c.Device)!)
            .OrderByDescending(d => d.Priority)
            .ThenBy(d => d.Id)
            .ToImmutableArray();
        if (capable.IsEmpty)
        {
            return Finish(false, $"no fence device can fence {target}");
        }

        var deviceFailures = new List<string>();
        foreach (var device in capable)
        {
            var (ok, why) = await RunLevelAsync(null, [device], target, action, configuration, attempts, cancellationToken)
                .ConfigureAwait(false);
            if (ok)
            {
                return Finish(true, $"fenced by {device.Id}", [device.Id]);
            }

            deviceFailures.Add(why);
        }

        return Finish(false, $"every device that can fence {target} failed: {string.Join("; ", deviceFailures)}");
    }

    public Task<ImmutableArray<DeviceCapability>> QueryDevicesAsync(NodeName target, CancellationToken cancellationToken) =>
        QueryDevicesAsync(target, _configuration, cancellationToken);

    /// <summary>Runs one level: every device must succeed. A reboot over several devices is all-off, then all-on.</summary>
    private async Task<(bool Ok, string Why)> RunLevelAsync(
        int? level,
        ImmutableArray<FenceDevice> devices,
        NodeName target,
        FenceAction action,
        FencingConfiguration configuration,
        ImmutableArray<FenceAttempt>.Builder attempts,
        CancellationToken cancellationToken)
    {
        var split = action == FenceAction.Reboot
            && (devices.Length > 1 || (_options.ConfirmRebootAtOff && await SupportsOffAndOnAsync(devices, cancellationToken).ConfigureAwait(false)));
        var phases = split
            ? new[] { AgentActions.Off, AgentActions.On }
            : [AgentActions.For(action)];
        foreach (var phase in phases)
        {
            if (phase == AgentActions.On && _options.ConfirmRebootAtOff)
            {
                // Every off succeeded: the fence is confirmed; the power-on follows without holding up recovery.
                _ = PowerOnAfterRebootAsync(level, devices, target, configuration);
                break;
            }

            foreach (var device in devices)
            {
                if (phase == AgentActions.On && phases.Length > 1 &&
                    await GetMetadataAsync(device.Agent, cancellationToken).ConfigureAwait(false) is { } m &&
                    m.Actions.Any(a => a.Name == AgentActions.On && a.Automatic))
                {
                    continue; // unfenced automatically when the node rejoins
                }

                var (ok, why) = await RunDeviceAsync(level, device, phase, target, configuration, attempts, cancellationToken)
                    .ConfigureAwait(false);
                if (ok)
                {
                    continue;
                }

                if (phase == AgentActions.On && phases.Length > 1)
                {
                    // The off phase already confirmed the fence; a failed power-on does not undo it (as agents
                    // treat the "on" half of their own reboot).
                    LogPowerOnFailed(_logger, target.Value, device.Id.Value, why);
                    continue;
                }

                return (false, why);
            }
        }

        return (true, "");
    }

    private async Task<bool> SupportsOffAndOnAsync(ImmutableArray<FenceDevice> devices, CancellationToken cancellationToken)
    {
        foreach (var device in devices)
        {
            if (device.AgentActionFor(AgentActions.Reboot) != AgentActions.Reboot
                || await GetMetadataAsync(device.Agent, cancellationToken).ConfigureAwait(false) is not { } m
                || !m.HasAction(AgentActions.Off) || !m.HasAction(AgentActions.On))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The "on" half of a reboot confirmed at its off: run after the fence is reported, failures only logged.</summary>
    private async Task PowerOnAfterRebootAsync(int? level, ImmutableArray<FenceDevice> devices, NodeName target, FencingConfiguration configuration)
    {
        var attempts = ImmutableArray.CreateBuilder<FenceAttempt>();
        foreach (var device in devices)
        {
            try
            {
                if (await GetMetadataAsync(device.Agent, CancellationToken.None).ConfigureAwait(false) is { } m &&
                    m.Actions.Any(a => a.Name == AgentActions.On && a.Automatic))
                {
                    continue; // unfenced automatically when the node rejoins
                }

                var (ok, why) = await RunDeviceAsync(level, device, AgentActions.On, target, configuration, attempts, CancellationToken.None)
                    .ConfigureAwait(false);
                if (!ok)
                {
                    LogPowerOnFailed(_logger, target.Value, device.Id.Value, why);
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                LogPowerOnFailed(_logger, target.Value, device.Id.Value, e.Message);
            }
        }
    }

    /// <summary>Runs one device's action against the target with its delay, timeout and retries.</summary>
    private async Task<(bool Ok, string Why)> RunDeviceAsync(
        int? level,
        FenceDevice device,
        string action,
        NodeName target,
        FencingConfiguration configuration,
        ImmutableArray<FenceAttempt>.Builder attempts,
        CancellationToken cancellationToken)
    {
        var agentAction = device.AgentActionFor(action);
        if (agentAction == AgentActions.Reboot &&
            await GetMetadataAsync(device.Agent, cancellationToken).ConfigureAwait(false) is { } metadata &&
            !metadata.HasAction(AgentActions.Reboot))
        {
            agentAction = AgentActions.Off; // Pacemaker 2.1: an agent without reboot is fenced with off
        }

        var delay = action is AgentActions.Off or AgentActions.Reboot ? DelayFor(device, target) : TimeSpan.Zero;
        var timeout = device.TimeoutFor(action, configuration.DefaultTimeout);
        var maxAttempts = device.AttemptsFor(action);
        var arguments = FenceAgentArguments.Build(device, agentAction, target);
        var gate = _deviceLocks.GetOrAdd(device.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (delay > TimeSpan.Zero)
            {
                LogDelay(_logger, device.Id.Value, target.Value, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }

            var started = _time.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                var remaining = timeout - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    return (false, $"{device.Id}: {agentAction} used up its timeout of {timeout.TotalSeconds:0.###} s after {attempt - 1} attempts");
                }

                var run = await _runner.RunAsync(
                    new FenceAgentInvocation(device.Agent, agentAction, arguments, remaining), cancellationToken).ConfigureAwait(false);
                var message = run.Describe();
                attempts.Add(new FenceAttempt(level, device.Id, device.Agent, agentAction, attempt, run.Outcome, run.ExitCode,
                    run.Succeeded, attempt == 1 ? delay : TimeSpan.Zero, run.Duration, message));
                if (run.Succeeded)
                {
                    return (true, "");
                }

                var used = _time.GetElapsedTime(started);
                var why = $"{device.Id}: {message}";
                if (run.Outcome != AgentRunOutcome.Exited || attempt >= maxAttempts ||
                    used >= timeout * _options.RetryBudget)
                {
                    return (false, attempt > 1 ? $"{why} (after {attempt} attempts)" : why);
                }

                LogRetry(_logger, device.Id.Value, agentAction, target.Value, attempt + 1, maxAttempts, message);
                await Task.Delay(_options.RetryPause, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Pacemaker's delay: <c>pcmk_delay_base</c>, plus a random part so the total stays below
    /// <c>pcmk_delay_max</c> when that is larger.</summary>
    private TimeSpan DelayFor(FenceDevice device, NodeName target)
    {
        var delayBase = device.DelayBaseFor(target);
        var delayMax = device.DelayMax;
        if (delayMax <= delayBase)
        {
            return delayBase;
        }

        var span = (long)(delayMax - delayBase).TotalMilliseconds;
        return delayBase + TimeSpan.FromMilliseconds(_random.NextInt64(span));
    }
}

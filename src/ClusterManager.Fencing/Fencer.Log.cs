using Microsoft.Extensions.Logging;

namespace ClusterManager.Fencing;

public sealed partial class Fencer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Fencing {Target} ({Action}) requested")]
    private static partial void LogFenceRequested(ILogger logger, string target, FenceAction action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fenced {Target} ({Action}): {Message}")]
    private static partial void LogFenceSucceeded(ILogger logger, string target, FenceAction action, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fencing {Target} ({Action}) FAILED: {Message}")]
    private static partial void LogFenceFailed(ILogger logger, string target, FenceAction action, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fencing level {Level} for {Target} failed, trying the next: {Message}")]
    private static partial void LogLevelFailed(ILogger logger, string target, int level, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Power-on of {Target} through {Device} failed after a confirmed off: {Message}")]
    private static partial void LogPowerOnFailed(ILogger logger, string target, string device, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying {Device} {Action} against {Target}: attempt {Attempt} of {MaxAttempts} after {Message}")]
    private static partial void LogRetry(ILogger logger, string device, string action, string target, int attempt, int maxAttempts, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delaying {Device} against {Target} by {Milliseconds} ms (pcmk_delay_base/max)")]
    private static partial void LogDelay(ILogger logger, string device, string target, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No metadata from fence agent {Agent}: {Message}")]
    private static partial void LogMetadataFailed(ILogger logger, string agent, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List action of {Device} failed: {Message}")]
    private static partial void LogListFailed(ILogger logger, string device, string message);
}

namespace ClusterManager.Daemon.Host;

/// <summary>
/// Writes files atomically (a temporary file renamed over the target), secrets with mode 0600 from the moment they
/// are created, so a key or token is never readable by others, not even half-written.
/// </summary>
internal static class SecureFile
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/>; mode 0600 when <paramref name="secret"/>, else 0644.</summary>
    public static void Write(string path, string text, bool secret)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("file modes need Unix");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var mode = secret ? Private : Public;
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            // An existing temporary file keeps its old mode: set it before any byte is written.
            File.SetUnixFileMode(stream.SafeFileHandle, mode);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

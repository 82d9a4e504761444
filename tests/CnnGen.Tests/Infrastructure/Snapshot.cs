using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>
    /// Compares text with a committed file, exactly. On a mismatch (or a missing file) it writes
    /// NAME.received.txt beside NAME.approved.txt and fails; to approve, review the diff and rename.
    /// </summary>
    public static class Snapshot
    {
        public static void Match(string name, string actual, [CallerFilePath] string callerPath = "")
        {
            string directory = Path.Combine(FindProjectDirectory(callerPath), "Snapshots");
            string approved = Path.Combine(directory, name + ".approved.txt");
            string received = Path.Combine(directory, name + ".received.txt");
            string normalized = actual.Replace("\r\n", "\n");

            if (File.Exists(approved) && File.ReadAllText(approved).Replace("\r\n", "\n") == normalized)
            {
                if (File.Exists(received))
                {
                    File.Delete(received);
                }

                return;
            }

            Directory.CreateDirectory(directory);
            File.WriteAllText(received, normalized);
            throw new XunitException(File.Exists(approved)
                ? $"Snapshot {name} differs from {approved}; the new text is in {received}. Review the diff, then replace the approved file if the change is intended."
                : $"Snapshot {name} has no approved file; the text is in {received}. Review it and rename it to {Path.GetFileName(approved)}.");
        }

        private static string FindProjectDirectory(string callerPath)
        {
            // Prefer the source tree (so received files land beside the committed ones); fall back to the output folder.
            string? directory = Path.GetDirectoryName(callerPath);
            while (directory is not null && !File.Exists(Path.Combine(directory, "CnnGen.Tests.csproj")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return directory ?? AppContext.BaseDirectory;
        }
    }
}

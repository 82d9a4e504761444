using System;
using System.IO;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>The repository the tests run from (the folder holding CnnGen.sln above the test output).</summary>
    public static class Repository
    {
        public static string Root { get; } = Find();

        private static string Find()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory is not null && !File.Exists(Path.Combine(directory, "CnnGen.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("CnnGen.sln not found above the test output");
        }
    }
}

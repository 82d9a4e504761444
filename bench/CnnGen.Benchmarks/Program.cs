using BenchmarkDotNet.Running;

namespace CnnGen.Benchmarks;

/// <summary>Run with: dotnet run -c Release --project bench/CnnGen.Benchmarks -- --filter '*'</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using CnnGen.Tests.Infrastructure;

namespace CnnGen.Tests.Numerics
{
    /// <summary>Compiles many networks in one compilation (one Roslyn run) and instantiates them by class name.</summary>
    public sealed class CompiledNetworks
    {
        private readonly Assembly _assembly;

        /// <param name="networks">The classes to declare.</param>
        /// <param name="skipLocalsInit">
        /// Compile the module with [SkipLocalsInit] (as users who want speed do), so a kernel that relies on stackalloc being
        /// zeroed reads garbage and fails its comparison.
        /// </param>
        public CompiledNetworks(IReadOnlyList<(string ClassName, NetSpec Spec)> networks, bool skipLocalsInit = false)
        {
            var source = new StringBuilder();
            if (skipLocalsInit)
            {
                source.AppendLine("[module: System.Runtime.CompilerServices.SkipLocalsInit]");
            }

            foreach ((string className, NetSpec spec) in networks)
            {
                source.AppendLine(spec.ToSource(className));
            }

            string text = source.ToString();
            Result = skipLocalsInit
                ? TestCompiler.Compile(TestCompiler.CreateCompilation(text).WithOptions(TestCompiler.CreateCompilation().Options.WithAllowUnsafe(true)))
                : TestCompiler.Compile(text);
            string[] lines = text.Split('\n');
            var bad = Result.All.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
            if (bad.Count > 0)
            {
                // Show the declaration each problem is in, not only the line number in the combined source.
                throw new Xunit.Sdk.XunitException("Unexpected diagnostics:\n" + string.Join("\n", bad.Take(10).Select(d =>
                    d + (d.Location.IsInSource && d.Location.SourceTree!.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) is false
                        ? "\n    in: " + lines[d.Location.GetLineSpan().StartLinePosition.Line].Trim()
                        : string.Empty))));
            }

            _assembly = Result.Load();
        }

        public CompileResult Result { get; }

        public ITestNetwork Create(string className) =>
            (ITestNetwork)Activator.CreateInstance(_assembly.GetType(className, throwOnError: true)!)!;

        public int Constant(string className, string name) =>
            (int)_assembly.GetType(className, throwOnError: true)!.GetField(name)!.GetRawConstantValue()!;

        /// <summary>
        /// A fresh instance of <paramref name="className"/> with random parameters drawn from <paramref name="random"/>, then
        /// a random input for <paramref name="spec"/> (in [-2, 2)) from the same generator; the parameters are not set.
        /// </summary>
        public (ITestNetwork Net, float[] Parameters, float[] Input) Prepare(string className, NetSpec spec, Random random)
        {
            float[] parameters = Numbers.Random(random, Constant(className, "ParameterCount"));
            return (Create(className), parameters, Numbers.Random(random, spec.InputLength, 2f));
        }
    }
}

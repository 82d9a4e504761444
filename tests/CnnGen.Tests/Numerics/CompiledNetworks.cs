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

        public CompiledNetworks(IReadOnlyList<(string ClassName, NetSpec Spec)> networks)
        {
            var source = new StringBuilder();
            foreach ((string className, NetSpec spec) in networks)
            {
                source.AppendLine(spec.ToSource(className));
            }

            Result = TestCompiler.Compile(source.ToString());
            Result.AssertClean();
            _assembly = Result.Load();
        }

        public CompileResult Result { get; }

        public ITestNetwork Create(string className) =>
            (ITestNetwork)Activator.CreateInstance(_assembly.GetType(className, throwOnError: true)!)!;

        public int Constant(string className, string name) =>
            (int)_assembly.GetType(className, throwOnError: true)!.GetField(name)!.GetRawConstantValue()!;
    }
}

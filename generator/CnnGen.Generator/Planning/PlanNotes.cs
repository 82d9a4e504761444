using System.Collections.Generic;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning
{
    /// <summary>CNN009: the layers whose window is over the unroll budget, and what of it stays a loop.</summary>
    internal static class PlanNotes
    {
        public static IEnumerable<Problem> NotUnrolled(NetworkPlan plan)
        {
            foreach (LayerPlan layer in plan.Layers)
            {
                LayerModel l = layer.Layer;
                if (l.Window is not { } window || layer.Scalar.Unroll == UnrollLevel.Full)
                {
                    continue;
                }

                string terms = l.Kind == LayerKind.Conv
                    ? "F\u00B7F\u00B7D" + (l.Groups > 1 ? "/G" : string.Empty) + " = " + window.SizeY + "\u00B7" + window.SizeX + "\u00B7" + l.GroupDepth + " = " + Text.Grouped(l.WindowTerms) + " multiply-adds"
                    : "F\u00B7F = " + Text.Grouped(l.WindowTerms) + (l.Kind == LayerKind.MaxPool ? " comparisons" : " additions");
                yield return new Problem(
                    DiagnosticIds.NotUnrolled,
                    l.Index,
                    ArgumentRef.Attribute,
                    l.Name + ": " + terms + " per output exceed the unroll budget of " + Unrolling.Budget + "; " + Unrolling.Describe(l, layer.Scalar.Unroll));
            }
        }
    }
}

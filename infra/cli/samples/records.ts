/** The sample records `send lead|ticket` creates in the Zoho sandbox. */
export const SAMPLE_LEADS = [
  {
    First_Name: "Ingrid",
    Last_Name: "Solberg",
    Company: "Nordlys Freight AS",
    Designation: "Head of Logistics",
    Email: "ingrid.solberg@nordlys-freight.example",
    Lead_Source: "Web Download",
    No_of_Employees: 640,
    Description:
      "Downloaded the routing whitepaper and asked for pricing for 80 dispatchers. They want a decision before the Q1 budget freeze and need an EU data centre.",
  },
  {
    First_Name: "Tomás",
    Last_Name: "Herrera",
    Company: "Andina Retail Group",
    Designation: "CIO",
    Email: "tomas.herrera@andina-retail.example",
    Lead_Source: "Trade Show",
    No_of_Employees: 2300,
    Description:
      "Met at the retail expo. Evaluating three vendors for store replenishment; asked for a security questionnaire and references in Latin America.",
  },
];
export const SAMPLE_TICKETS = [
  {
    subject: "Charged twice this month",
    description:
      "Hi, my card was charged twice for invoice INV-30412 (two charges of $189.00 on the 2nd). Please refund the duplicate. I'm quite annoyed, this happened before.",
    email: "lena.kraus@customer.example",
    first_name: "Lena",
    last_name: "Kraus",
  },
  {
    subject: "Scanner app crashes on Android 14",
    description:
      "Since the last update the mobile scanner crashes as soon as I open it on a Pixel 8 (Android 14). Our warehouse team cannot receive goods. Please help urgently.",
    email: "omar.said@customer.example",
    first_name: "Omar",
    last_name: "Said",
  },
];

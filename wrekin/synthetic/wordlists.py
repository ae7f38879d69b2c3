"""Word lists for the synthetic partnership: names, places, schools, street names.

Everything here is written for Wrekin. Names are common given and family names of
people living in England today, grouped by the naming tradition they come from;
towns and postcode districts are real Shropshire places so the data looks right
on a map, but every street and school name is made up from the stems below.

One population mix (`NAME_POOLS` weights) is used for children, parents and
persons of concern alike: the generator plants no link between anyone's heritage
and whether they are a person of concern, so a demographic pattern found in seeded
data is noise, never a finding.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamePool:
    """Given and family names from one naming tradition, and the DfE code it is recorded under."""

    key: str
    ethnicity: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    # Nationalities a person of concern from this pool may be recorded with (first is the commonest).
    nationalities: tuple[str, ...] = ("British",)
    # How family names change with sex ("polish", "lithuanian", "sikh", "bangladeshi") or "" for none.
    family_rule: str = ""


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ENGLISH_MALE = _t(
    "Oliver Jack Harry George Charlie Jacob Alfie Noah Thomas Oscar James William Joshua Leo Ethan "
    "Callum Kieran Tyler Bradley Jordan Reece Liam Connor Kyle Lewis Ryan Daniel Jayden Dylan Owen "
    "Mason Riley Harvey Lucas Samuel Benjamin Matthew Alexander Luke Nathan Jake Max Archie Freddie "
    "Louie Logan Toby Finley Ashton Brandon Jamie Corey Kai Billy Frankie Lennon Tommy Ellis"
)
_ENGLISH_FEMALE = _t(
    "Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Ellie Jessica Mia Ruby Evie Poppy Holly "
    "Leah Megan Paige Courtney Shannon Chantelle Kayleigh Demi Lacey Jade Amber Bethany Charlotte "
    "Lauren Abbie Millie Freya Tia Rebecca Samantha Eleanor Katie Hannah Georgia Summer Macy Skye "
    "Maisie Phoebe Erin Niamh Keeley Brooke Libby Scarlett Madison Kacey Darcy Harriet Elizabeth"
)
_ENGLISH_FAMILY = _t(
    "Smith Jones Williams Taylor Davies Evans Roberts Edwards Hughes Wright Walker Green Hall Wood "
    "Harris Lewis Clarke Jackson Turner Hill Morris Price Bennett Griffiths Lloyd Pritchard Bowen "
    "Corbett Onions Beddoes Preece Breakwell Jukes Heighway Bebb Pugh Mansell Cartwright Plimmer "
    "Maddox Tonks Tranter Mytton Thompson Phillips Cooper Ward Baker Carter Mitchell Shaw Parker "
    "Bailey Cook Harrison Holmes Rowley Ball Owen Moore Wilkes Parry Powell Mills Jenkins Gough "
    "Brookes Bate Everall Hotchkiss Lucas Stokes Dodd Hampson Whitmore Furber Boden Sankey Humphreys"
)
_WELSH_MALE = _t("Rhys Dylan Owain Gethin Ieuan Osian Dafydd Cai Tomos Emyr Iwan Steffan")
_WELSH_FEMALE = _t("Cerys Ffion Carys Seren Nia Megan Alys Catrin Bethan Elin Lowri Mali")
_WELSH_FAMILY = _t("Jones Davies Evans Morgan Pugh Powell Parry Bowen Pritchard Griffiths Vaughan Rees "
                   "Llewellyn Probert Howells Meredith Jenkins Lloyd")

NAME_POOLS: tuple[NamePool, ...] = (
    NamePool("english", "WBRI", 64.0, _ENGLISH_MALE, _ENGLISH_FEMALE, _ENGLISH_FAMILY),
    NamePool("welsh", "WBRI", 6.0, _WELSH_MALE, _WELSH_FEMALE, _WELSH_FAMILY),
    NamePool("irish", "WIRI", 1.0,
             _t("Sean Ciaran Niall Padraig Eoin Conor Declan Cian Oisin Darragh Ronan Cillian"),
             _t("Niamh Aoife Siobhan Ciara Roisin Orla Caoimhe Saoirse Aisling Clodagh Sinead Grainne"),
             _t("Murphy O'Brien Kelly Byrne Ryan O'Sullivan Doyle McCarthy Gallagher Quinn Brennan "
                "Donnelly Keane Fitzgerald Walsh O'Neill"),
             ("British", "Irish")),
    NamePool("traveller", "WIRT", 0.6,
             _t("John Patrick Michael Martin Thomas Johnny Paddy Jimmy Francis Christy"),
             _t("Bridget Margaret Mary Kathleen Nora Teresa Ellen Winnie Josie Shauna"),
             _t("Ward McDonagh Joyce Maughan Connors Delaney Doran Collins Stokes Cash"),
             ("British", "Irish")),
    NamePool("roma", "WROM", 0.6,
             _t("Marian Florin Ionut Jozef Milan Robert Dominik Patrik Denis Lukas"),
             _t("Denisa Maria Andreea Nikola Simona Lenka Vanessa Nikoleta Adriana Monika"),
             _t("Balog Lakatos Horvath Dudi Stoica Rostas Sztojka Oláh Kotlar Ferko"),
             ("Romanian", "Slovak", "Czech", "British")),
    NamePool("polish", "WOTH", 3.2,
             _t("Jakub Kacper Szymon Filip Mateusz Bartosz Wiktor Oskar Piotr Tomasz Michał Wojciech "
                "Aleksander Dawid Kamil Adrian"),
             _t("Zuzanna Julia Maja Zofia Hanna Lena Wiktoria Natalia Oliwia Aleksandra Katarzyna "
                "Agnieszka Małgorzata Weronika Karolina Alicja"),
             _t("Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Dąbrowski "
                "Kaczmarek Mazur Krawczyk Piotrowski Grabowski Pawlak Michalski Jankowski Wróbel"),
             ("Polish", "British"), "polish"),
    NamePool("romanian", "WOTH", 1.2,
             _t("Andrei Alexandru Mihai Stefan Ionut Gabriel Cristian Darius Razvan Vlad"),
             _t("Ioana Elena Bianca Andreea Alexandra Daria Larisa Roxana Alina Teodora"),
             _t("Popescu Ionescu Popa Dumitru Stan Stoica Gheorghe Matei Rusu Munteanu Lungu Constantin"),
             ("Romanian", "British")),
    NamePool("lithuanian", "WOTH", 0.6,
             _t("Lukas Matas Dominykas Jokūbas Nojus Mantas Tomas Paulius"),
             _t("Emilija Gabija Austėja Urtė Kamilė Ieva Lėja Rugilė"),
             _t("Kazlauskas Jankauskas Petrauskas Stankevičius Vasiliauskas Žukauskas Butkus Paulauskas"),
             ("Lithuanian", "British"), "lithuanian"),
    NamePool("portuguese", "WOTH", 0.5,
             _t("Tiago João Rodrigo Diogo Rafael Gonçalo Miguel Pedro"),
             _t("Beatriz Inês Mariana Leonor Carolina Matilde Ana Sofia"),
             _t("Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Gomes"),
             ("Portuguese", "British")),
    NamePool("mixed_caribbean", "MWBC", 2.5,
             _t("Tyrese Kai Jaden Malachi Marley Isaiah Reuben Elijah Kobe Jayden Tyler Riley Leon"),
             _t("Jada Kiara Aaliyah Nevaeh Tiana Amara Imani Kayla Ruby Jasmine Leah Mya Tianna"),
             _t("Campbell Brown Williams Thompson Clarke Morgan Reid Francis Grant Smith Taylor Walker "
                "Edwards Richards Bailey")),
    NamePool("mixed_african", "MWBA", 1.0,
             _t("Kofi Tobi Daniel Elijah Nathan Joshua Zion Micah Ethan Caleb"),
             _t("Ama Zara Kemi Amara Grace Nia Esme Adaeze Hope Abigail"),
             _t("Okafor Mensah Adeyemi Moyo Smith Jones Davies Asante Boateng Wood Taylor")),
    NamePool("mixed_asian", "MWAS", 1.8,
             _t("Zain Ayaan Rohan Sami Adam Zak Rayan Jay Aryan Ryan Idris"),
             _t("Layla Aisha Maya Leila Amira Sienna Priya Yasmin Sofia Isla Nadia"),
             _t("Ahmed Khan Patel Smith Taylor Hussain Singh Jones Ali Edwards Sharma Hall")),
    NamePool("mixed_other", "MOTH", 1.2,
             _t("Leon Marcus Adam Kai Theo Luca Noah Alex Hugo Ezra"),
             _t("Maya Lola Ruby Ava Zara Mila Ella Aria Nina Luna"),
             _t("Silva Brown Hassan Nowak Chen Walker Lopez Evans Karimi Kelly")),
    NamePool("indian_sikh", "AIND", 1.8,
             _t("Jaspreet Harpreet Gurpreet Manpreet Arjun Karan Jasveer Amrit Harjot Ravinder Sukhdeep "
                "Navdeep Gurdeep Jaskaran"),
             _t("Jaspreet Harpreet Simran Navneet Kiran Jasleen Amrit Manpreet Gurleen Rajvinder Harleen "
                "Sukhpreet Parminder Jasmeet"),
             _t("Sandhu Gill Dhillon Sidhu Bains Johal Atwal Sangha Virdi Kang Grewal Bhogal"),
             ("British", "Indian"), "sikh"),
    NamePool("indian_hindu", "AIND", 1.4,
             _t("Arjun Rohan Aarav Vihaan Ravi Sanjay Dev Karan Aryan Krish Nikhil Rahul"),
             _t("Priya Anaya Diya Riya Isha Anjali Pooja Aditi Meera Shreya Nisha Kavya"),
             _t("Patel Sharma Mistry Kumar Chauhan Lal Parmar Joshi Shah Desai Solanki Verma"),
             ("British", "Indian")),
    NamePool("pakistani", "APKN", 3.5,
             _t("Muhammad Mohammed Ali Hamza Ibrahim Yusuf Zain Bilal Usman Adil Imran Tariq Asif Faisal "
                "Amir Haris Abdullah Rayyan Zakariya Sufyan"),
             _t("Aisha Fatima Maryam Zainab Hafsa Amina Sana Iqra Alisha Mehwish Noor Khadija Hania "
                "Eman Anaya Sumayyah"),
             _t("Khan Hussain Ahmed Ali Shah Iqbal Mahmood Akhtar Butt Rashid Malik Aslam Javed Raza "
                "Mirza Qureshi Bashir Anwar Riaz Saleem"),
             ("British", "Pakistani")),
    NamePool("bangladeshi", "ABAN", 0.8,
             _t("Rahim Abdul Mohammed Rahman Sayeed Tanvir Raihan Shahid Arif Jamal Habib Shafiq"),
             _t("Nusrat Tasnim Sumaiya Farzana Ruksana Sadia Taslima Mahmuda Jannat Tahmina Shirin Rima"),
             _t("Miah Uddin Rahman Islam Hoque Ahmed Chowdhury Hossain Ali Karim Ullah Alam"),
             ("British", "Bangladeshi"), "bangladeshi"),
    NamePool("nepali", "AOTH", 0.5,
             _t("Bikash Suman Prakash Sanjay Rajesh Dipesh Nabin Sujan Anish Roshan"),
             _t("Sita Anjali Puja Sunita Sabina Manisha Rojina Kamala Srijana Asmita"),
             _t("Gurung Rai Limbu Thapa Tamang Magar Shrestha Pun Ghale Sherpa"),
             ("British", "Nepalese")),
    NamePool("afghan", "AOTH", 0.4,
             _t("Ahmad Hamid Farhad Jawad Mustafa Nasir Sohail Wahid Rahmat Zabi"),
             _t("Sahar Mariam Nilofar Parisa Zohra Farishta Laila Madina Shabnam Yalda"),
             _t("Ahmadzai Noori Popal Sultani Hakimi Rahimi Amiri Safi Stanikzai Wardak"),
             ("Afghan", "British")),
    NamePool("sri_lankan", "AOTH", 0.3,
             _t("Tharshan Kajan Niroshan Pirathees Sajeevan Thanushan Dilan Kasun"),
             _t("Thushara Nirosha Kavitha Dharshika Janani Sharmila Tharani Nadeesha"),
             _t("Sivakumar Rajendran Tharmalingam Kanagaratnam Perera Fernando Selvarajah Nadarajah"),
             ("British", "Sri Lankan")),
    NamePool("caribbean", "BCRB", 1.2,
             _t("Jermaine Tyrone Marcus Andre Kyle Dwayne Leon Jamal Kareem Kai Tyrell Malik Delroy Nathan"),
             _t("Shanice Tanisha Keisha Monique Jasmine Chantel Aaliyah Kayla Destiny Jada Tia Marcia"),
             _t("Campbell Brown Williams Thompson Johnson Clarke Reid Grant Richards Francis Morgan Bailey "
                "Robinson Edwards Bennett Henry")),
    NamePool("nigerian", "BAFR", 0.9,
             _t("Chinedu Emeka Oluwaseun Oluwatobi Adebayo Tunde Chukwuemeka Ifeanyi Samuel David Daniel "
                "Joshua"),
             _t("Chioma Adaeze Folake Ngozi Temitope Oluwaseun Blessing Precious Favour Grace Esther Ifeoma"),
             _t("Okafor Adeyemi Okonkwo Oladipo Eze Nwosu Balogun Adebayo Ogunleye Obi Afolabi Okoro"),
             ("British", "Nigerian")),
    NamePool("ghanaian", "BAFR", 0.5,
             _t("Kwame Kofi Kwabena Yaw Kojo Nana Emmanuel Isaac Ebenezer Prince"),
             _t("Ama Abena Akosua Efua Adwoa Esi Afia Gifty Priscilla Comfort"),
             _t("Mensah Asante Boateng Owusu Osei Appiah Agyeman Darko Amoah Ansah"),
             ("British", "Ghanaian")),
    NamePool("zimbabwean", "BAFR", 0.6,
             _t("Tendai Tinashe Tatenda Farai Tafadzwa Kudakwashe Takudzwa Blessing Ryan Simba"),
             _t("Rudo Nyasha Chipo Tsitsi Ruvimbo Tanaka Vimbai Rutendo Shamiso Nokuthula"),
             _t("Moyo Ncube Chikwanha Sibanda Dube Mutasa Chiwenga Nyathi Marufu Mhlanga"),
             ("British", "Zimbabwean")),
    NamePool("somali", "BAFR", 0.4,
             _t("Abdi Mohamed Abdirahman Hassan Ahmed Mustafe Yusuf Abdullahi Liban Omar"),
             _t("Fatuma Hodan Ayan Hibo Sagal Ifrah Nimco Hamdi Sahra Khadra"),
             _t("Abdi Mohamud Warsame Farah Hussein Egal Jama Osman Nur Ali"),
             ("British", "Somali")),
    NamePool("eritrean", "BAFR", 0.2,
             _t("Yonas Daniel Samuel Filmon Robel Henok Biniam Meron"),
             _t("Selam Helen Ruta Senait Luwam Mebrat Yordanos Saba"),
             _t("Tesfaye Haile Kidane Berhane Gebremedhin Tekle Woldu Ghebre"),
             ("Eritrean", "British")),
    NamePool("black_other", "BOTH", 0.4,
             _t("Malachi Josiah Jerome Isaiah Joel Nathaniel Elijah Caleb"),
             _t("Naomi Keziah Abigail Serena Danielle Chanel Hope Zuri"),
             _t("Jean-Baptiste Mbeki Joseph Charles Pierre Baptiste Lewis Campbell"),
             ("British", "French")),
    NamePool("chinese", "CHNE", 0.6,
             _t("Wei Jun Hao Ming Kevin Jason Tony Ho Chi Eric"),
             _t("Mei Li Xin Jing Yan Amy Jenny Wing Ling Hui"),
             _t("Wang Li Zhang Chen Liu Wong Cheung Lam Ng Ho Chan Leung"),
             ("British", "Chinese")),
    NamePool("arab_kurdish", "OOTH", 0.8,
             _t("Ahmed Omar Karwan Dara Hemin Ali Khalid Mahmoud Rebin Soran Yasin Hussein"),
             _t("Lana Dilan Rana Shilan Huda Noor Jwan Sara Rojin Aya Hana Lina"),
             _t("Hassan Mahmoud Abdullah Aziz Rashid Karim Salih Omar Hamad Mustafa"),
             ("Iraqi", "Syrian", "British")),
    NamePool("iranian", "OOTH", 0.3,
             _t("Reza Amir Arash Babak Kian Omid Dariush Navid"),
             _t("Shirin Parisa Leila Nazanin Mahsa Roya Yasaman Setareh"),
             _t("Karimi Ahmadi Rostami Hosseini Mohammadi Rezaei Moradi Jafari"),
             ("Iranian", "British")),
)

POOLS_BY_KEY = {pool.key: pool for pool in NAME_POOLS}


# Everyday short forms practitioners and young people actually use. Keys are given names in the pools.
KNOWN_AS: dict[str, tuple[str, ...]] = {
    "Daniel": ("Danny", "Dan"), "Joshua": ("Josh",), "Thomas": ("Tom", "Tommy"), "Matthew": ("Matt",),
    "Jayden": ("Jay",), "Alexander": ("Alex",), "Callum": ("Cal",), "Benjamin": ("Ben",),
    "Samuel": ("Sam", "Sammy"), "Jacob": ("Jake",), "William": ("Will", "Billy"), "James": ("Jamie", "Jim"),
    "Frederick": ("Freddie",), "Oliver": ("Ollie",), "Charlie": ("Chaz",), "Nathan": ("Nate",),
    "Bradley": ("Brad",), "Zachary": ("Zak",), "Tyler": ("Ty",), "Harrison": ("Harry",),
    "Jessica": ("Jess",), "Rebecca": ("Becky", "Becca"), "Samantha": ("Sam",), "Charlotte": ("Lottie",),
    "Elizabeth": ("Lizzie", "Beth"), "Bethany": ("Beth",), "Abbie": ("Abs",), "Eleanor": ("Ellie",),
    "Olivia": ("Liv",), "Amelia": ("Millie",), "Katie": ("Kat",), "Megan": ("Meg",), "Kayleigh": ("Kay",),
    "Courtney": ("Court",), "Georgia": ("George",), "Harriet": ("Hattie",), "Phoebe": ("Phoebs",),
    "Aleksandra": ("Ola",), "Katarzyna": ("Kasia",), "Małgorzata": ("Gosia",), "Zuzanna": ("Zuza",),
    "Jakub": ("Kuba",), "Aleksander": ("Olek",), "Wojciech": ("Wojtek",), "Bartosz": ("Bartek",),
    "Tomasz": ("Tomek",), "Agnieszka": ("Aga",), "Weronika": ("Wera",),
    "Muhammad": ("Mo",), "Mohammed": ("Mo",), "Ibrahim": ("Ibby",), "Imran": ("Immy",),
    "Abdullah": ("Abdul",), "Zakariya": ("Zak",), "Mohamed": ("Mo",), "Abdirahman": ("Abdi",),
    "Oluwaseun": ("Seun",), "Oluwatobi": ("Tobi",), "Chukwuemeka": ("Emeka",), "Adebayo": ("Bayo",),
    "Jaspreet": ("Jas",), "Manpreet": ("Manny",), "Harpreet": ("Harry",), "Jaskaran": ("Jas",),
    "Tyrone": ("Ty",), "Jermaine": ("Jerm",), "Tinashe": ("Tini",), "Tafadzwa": ("Tafa",),
    "Alexandru": ("Alex",), "Gabriel": ("Gabi",), "Andreea": ("Andy",), "Alexandra": ("Alex",),
    "Nathaniel": ("Nate",), "Malachi": ("Kai",), "Kudakwashe": ("Kuda",), "Takudzwa": ("Taku",),
}

# Street names that persons of concern are known by. Plain words; never a slur, never a weapon.
STREET_NAMES: tuple[str, ...] = _t(
    "Ghost Smokey Tiny Shadow Prince Boss Uncle Red Ace Stretch Chief Lucky Bear Fox Storm Milo "
    "Cuz Bro Kid Junior Bossman Taxi Sparks Skinny Curly Ginger Bigs Scouse Brummie Digger Nitro"
)

# Family names as other agencies spell them. Applied before falling back to a plain typing slip.
FAMILY_MISSPELLINGS: dict[str, tuple[str, ...]] = {
    "Smith": ("Smyth", "Smithe"), "Clarke": ("Clark",), "Thompson": ("Thomson", "Tompson"),
    "Davies": ("Davis",), "Phillips": ("Philips",), "Hussain": ("Hussein", "Husain"),
    "Mahmood": ("Mahmud", "Mehmood"), "Ahmed": ("Ahmad", "Ahmet"), "Chowdhury": ("Choudhury", "Chaudhry"),
    "O'Brien": ("OBrien", "O Brien", "Obrien"), "O'Sullivan": ("OSullivan", "Sullivan"),
    "O'Neill": ("ONeill", "O'Neil"), "McDonagh": ("MacDonagh", "McDonough"), "Begum": ("Begam",),
    "Pritchard": ("Prichard",), "Griffiths": ("Griffith",), "Jukes": ("Jewkes",), "Beddoes": ("Beddows",),
    "Onions": ("Onians",), "Heighway": ("Hayway",), "Mytton": ("Mitton",), "Tranter": ("Trantor",),
    "Wiśniewski": ("Wisniewski", "Wishnewski"), "Wiśniewska": ("Wisniewska",), "Wójcik": ("Wojcik",),
    "Kowalski": ("Kowalsky",), "Kowalska": ("Kowalsky",), "Dąbrowski": ("Dabrowski",),
    "Dąbrowska": ("Dabrowska",), "Zieliński": ("Zielinski",), "Zielińska": ("Zielinska",),
    "Mohamud": ("Mohamoud", "Mohammed"), "Okafor": ("Okafur",), "Iqbal": ("Iqbaal",),
    "Rahman": ("Rehman", "Rahmaan"), "Hossain": ("Hussain", "Hosain"), "Uddin": ("Udin",),
    "Chikwanha": ("Chikwana",), "Tesfaye": ("Tesfay",), "Gallagher": ("Gallacher",),
    "Popescu": ("Popesku",), "Maughan": ("Mahon",), "Connors": ("Connor",), "Campbell": ("Cambell",),
}

# Given names as written by someone who misheard them.
GIVEN_MISSPELLINGS: dict[str, tuple[str, ...]] = {
    "Kayleigh": ("Kayley", "Kaylee"), "Jayden": ("Jaden", "Jaiden"), "Callum": ("Calum",),
    "Kieran": ("Kieron", "Ciaran"), "Connor": ("Conor",), "Reece": ("Rhys", "Reese"), "Lacey": ("Lacie",),
    "Chantelle": ("Shantelle",), "Courtney": ("Cortney",), "Mohammed": ("Muhammad", "Mohamed"),
    "Muhammad": ("Mohammed", "Mohammad"), "Aleksandra": ("Alexandra",), "Aleksander": ("Alexander",),
    "Zofia": ("Sofia", "Zophia"), "Shannon": ("Shanon",), "Jordan": ("Jordon",), "Ellie": ("Elly",),
    "Niamh": ("Neve",), "Siobhan": ("Shivaun",), "Sean": ("Shaun",), "Tyrese": ("Tyreese",),
    "Amara": ("Amarah",), "Aaliyah": ("Aliyah", "Aleah"), "Nevaeh": ("Neveah",), "Yusuf": ("Yousef",),
}


@dataclass(frozen=True)
class Locality:
    """A real place in the partnership area, its postcode sectors and how many people live there."""

    name: str
    district: str
    sectors: tuple[int, ...]
    post_town: str
    weight: float
    council: str  # "wrekin" or "severn": which children's services team covers it

    @property
    def line2(self) -> str:
        """The address line naming the place, unless it is the post town itself."""
        return "" if self.name == self.post_town else self.name


LOCALITIES: tuple[Locality, ...] = (
    Locality("Wellington", "TF1", (1, 2, 3), "Telford", 7.0, "wrekin"),
    Locality("Leegomery", "TF1", (6,), "Telford", 2.5, "wrekin"),
    Locality("Ketley", "TF1", (5,), "Telford", 2.0, "wrekin"),
    Locality("Hadley", "TF1", (5, 6), "Telford", 3.0, "wrekin"),
    Locality("Oakengates", "TF2", (6,), "Telford", 3.5, "wrekin"),
    Locality("Donnington", "TF2", (7, 8), "Telford", 3.0, "wrekin"),
    Locality("St Georges", "TF2", (9,), "Telford", 2.0, "wrekin"),
    Locality("Priorslee", "TF2", (9,), "Telford", 2.0, "wrekin"),
    Locality("Trench", "TF2", (6, 7), "Telford", 2.0, "wrekin"),
    Locality("Stirchley", "TF3", (1,), "Telford", 2.5, "wrekin"),
    Locality("Hollinswood", "TF3", (2,), "Telford", 2.0, "wrekin"),
    Locality("Brookside", "TF3", (1,), "Telford", 2.5, "wrekin"),
    Locality("Malinslee", "TF3", (2,), "Telford", 2.0, "wrekin"),
    Locality("Dawley", "TF4", (2, 3), "Telford", 3.5, "wrekin"),
    Locality("Lawley", "TF4", (2,), "Telford", 3.0, "wrekin"),
    Locality("Horsehay", "TF4", (3,), "Telford", 1.5, "wrekin"),
    Locality("Shawbirch", "TF5", (0,), "Telford", 1.5, "wrekin"),
    Locality("Admaston", "TF5", (0,), "Telford", 1.0, "wrekin"),
    Locality("High Ercall", "TF6", (6,), "Telford", 0.5, "wrekin"),
    Locality("Madeley", "TF7", (4, 5), "Telford", 3.5, "wrekin"),
    Locality("Sutton Hill", "TF7", (4,), "Telford", 2.0, "wrekin"),
    Locality("Woodside", "TF7", (5,), "Telford", 2.0, "wrekin"),
    Locality("Ironbridge", "TF8", (7,), "Telford", 1.0, "wrekin"),
    Locality("Coalbrookdale", "TF8", (7,), "Telford", 0.5, "wrekin"),
    Locality("Market Drayton", "TF9", (1, 3), "Market Drayton", 3.0, "severn"),
    Locality("Newport", "TF10", (7, 8), "Newport", 3.0, "wrekin"),
    Locality("Shifnal", "TF11", (8, 9), "Shifnal", 2.0, "severn"),
    Locality("Broseley", "TF12", (5,), "Broseley", 1.0, "severn"),
    Locality("Much Wenlock", "TF13", (6,), "Much Wenlock", 0.7, "severn"),
    Locality("Castlefields", "SY1", (2,), "Shrewsbury", 2.0, "severn"),
    Locality("Harlescott", "SY1", (3, 4), "Shrewsbury", 3.5, "severn"),
    Locality("Ditherington", "SY1", (4,), "Shrewsbury", 1.5, "severn"),
    Locality("Monkmoor", "SY2", (5,), "Shrewsbury", 3.0, "severn"),
    Locality("Sutton Farm", "SY2", (6,), "Shrewsbury", 2.0, "severn"),
    Locality("Meole Brace", "SY3", (9,), "Shrewsbury", 2.5, "severn"),
    Locality("Copthorne", "SY3", (8,), "Shrewsbury", 2.0, "severn"),
    Locality("Frankwell", "SY3", (8,), "Shrewsbury", 1.0, "severn"),
    Locality("Bayston Hill", "SY3", (0,), "Shrewsbury", 1.5, "severn"),
)

# Made-up street names: a stem and a suffix. Put together at random, they name no particular street.
STREET_STEMS: tuple[str, ...] = _t(
    "Ironmaster Furnace Kiln Forge Tannery Quarry Foundry Bellpit Pitman Wharf Malthouse Ropewalk "
    "Orchard Damson Hawthorn Rowan Alder Beech Larch Holly Heather Bracken Foxglove Brook Millrace "
    "Ferry Tollgate Turnpike Packhorse Drover Shepherd Coppice Spinney Larkspur Kestrel Heron "
    "Kingfisher Curlew Skylark Lapwing Wagtail Buzzard Merlin Teasel Sorrel Bramble Elder Willow "
    "Cinder Coalpit Limekiln Brickfield Clayfield Pottery Tileworks Chainmaker Nailer Puddler "
    "Engine Beam Incline Tramway Canalside Towpath Lockkeeper Bargeman Boatman Weaver Glover Tanner "
    "Cooper Wheelwright Saddler Farrier Hayfield Barley Oatlands Ryecroft Wheatsheaf Haywain"
)
STREET_SUFFIXES: tuple[str, ...] = _t(
    "Road Street Lane Close Drive Way Avenue Crescent Rise View Court Gardens Grove Walk Place Mews "
    "Bank Fold Croft Meadow"
)
FLAT_BLOCK_SUFFIXES: tuple[str, ...] = ("Court", "House", "Mews", "Place")

# Secondary schools: made-up names, each serving some postcode districts. The first few are partner
# agencies in their own right (their designated safeguarding leads use Wrekin).
SECONDARY_SCHOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Coalport Rise Academy", ("TF7", "TF8", "TF12", "TF13")),
    ("Severn Gorge High School", ("TF3", "TF4")),
    ("Kilnbank Academy", ("TF1", "TF5", "TF6")),
    ("Castle Ward School", ("SY1", "SY2")),
    ("Ironmasters' Academy", ("TF2", "TF10", "TF11")),
    ("Foxglove Park School", ("SY3",)),
    ("Drayton Heath Academy", ("TF9",)),
    ("Tollgate Community College", ("TF2", "TF3")),
)
SIXTH_FORM_COLLEGES: tuple[str, ...] = ("Severnside College", "Wrekin Vale Sixth Form")

OCCUPATIONS: tuple[tuple[str, float], ...] = (
    ("", 45.0), ("Private hire driver", 6.0), ("Hackney carriage driver", 2.0), ("Takeaway worker", 6.0),
    ("Takeaway owner", 1.5), ("Delivery driver", 6.0), ("Warehouse operative", 7.0), ("Labourer", 5.0),
    ("Car wash worker", 2.0), ("Mechanic", 3.0), ("Barber", 2.0), ("Security officer", 2.0),
    ("Unemployed", 8.0), ("Student", 2.0), ("Hotel night porter", 1.0), ("Shop worker", 3.0),
    ("Scaffolder", 1.5), ("Chef", 2.0),
)
TAXI_OCCUPATIONS = frozenset({"Private hire driver", "Hackney carriage driver"})

# Professional first and family names for staff are drawn from the same pools; job titles by agency type.
JOB_TITLES: dict[str, tuple[str, ...]] = {
    "childrens_social_care": ("Social worker", "Senior social worker", "Family support worker",
                              "Advanced practitioner"),
    "police": ("Police constable", "Detective constable", "Police community support officer",
               "Missing persons coordinator"),
    "health": ("School nurse", "Health visitor", "Named nurse for safeguarding", "Sexual health nurse",
               "Emergency department liaison nurse"),
    "education": ("Designated safeguarding lead", "Deputy safeguarding lead", "Pastoral manager",
                  "Attendance officer"),
    "youth_service": ("Detached youth worker", "Youth support worker"),
    "voluntary": ("Return home interview worker", "Exploitation support worker", "Project worker"),
    "licensing": ("Taxi licensing officer", "Licensing enforcement officer"),
    "other": ("Exploitation practitioner", "Partnership officer"),
}
